/**
 * `wrap` without --policy on a real terminal (`script` from util-linux gives the built CLI a
 * pseudo-terminal): it offers init for each server, writes the policy, and guards the server with it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { which } from '../fixtures/venv/helpers.js';
import { BIN, ECHO_SERVER } from './support/guard.js';

const script = await which('script');
const skipReason = script ? '' : ' (skipped: `script` from util-linux is not installed, so there is no pseudo-terminal)';

/** Runs the CLI on a pty, typing each answer once its prompt has appeared. */
async function onTty(args: string[], cwd: string, env: Record<string, string>, dialogue: Array<[prompt: string, answer: string]>) {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qec', quoted, '/dev/null'], { cwd, env, extendEnv: false, reject: false });
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
  });
  let from = 0;
  for (const [prompt, answer] of dialogue) {
    for (let i = 0; i < 1200 && !seen.slice(from).includes(prompt); i++) await new Promise((r) => setTimeout(r, 25));
    expect(seen.slice(from)).toContain(prompt);
    from = seen.length;
    child.stdin!.write(`${answer}\n`);
  }
  const result = await child;
  return { exitCode: result.exitCode, output: seen };
}

describe.skipIf(!script)(`wrap on a terminal${skipReason}`, () => {
  it('without --policy, writes a starting policy with init for the server and guards it with that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-clients-tty-'));
    const home = join(dir, 'home');
    const config = join(home, '.config', 'Claude', 'claude_desktop_config.json');
    mkdirSync(join(home, '.config', 'Claude'), { recursive: true });
    writeFileSync(config, JSON.stringify({ mcpServers: { echo: { command: 'node', args: [ECHO_SERVER], env: { FIXTURE_MODE: '' } } } }, null, 2));
    const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1', TERM: 'dumb' };
    const policy = join(home, '.config', 'mcp-guard', 'echo.policy.json');

    const result = await onTty(['wrap', '--client', 'claude-desktop'], dir, env, [
      ['Policy file for echo', ''],
      ['Write a starting policy there with init?', 'y'],
    ]);
    expect(result.output).toContain(`Enter for ${policy}`);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/wrote .*echo\.policy\.json: 7 tools/);
    // Pinned under the grant the wrapped server will run with (its policy file), as init pins.
    expect(result.output).toMatch(/pinned 7 tool definitions under .*echo\.policy\.json in sqlite:/);

    const written = JSON.parse(readFileSync(policy, 'utf8')) as { tools: Record<string, unknown> };
    expect(Object.keys(written.tools)).toContain('delete_file');
    const server = (JSON.parse(readFileSync(config, 'utf8')) as { mcpServers: { echo: { args: string[] } } }).mcpServers.echo;
    expect(server.args.slice(1)).toEqual(['--policy', policy, '--', 'node', ECHO_SERVER]);
  });

  it('leaves a server alone when the answer is to skip it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-clients-tty-'));
    const home = join(dir, 'home');
    const config = join(home, '.cursor', 'mcp.json');
    mkdirSync(join(home, '.cursor'), { recursive: true });
    const text = JSON.stringify({ mcpServers: { echo: { command: 'node', args: [ECHO_SERVER] } } }, null, 2);
    writeFileSync(config, text);
    const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1', TERM: 'dumb' };
    const result = await onTty(['wrap', '--client', 'cursor'], dir, env, [['Policy file for echo', '-']]);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('echo: skipped');
    expect(readFileSync(config, 'utf8')).toBe(text);
  });
});
