/**
 * The venv commands on a real terminal: `script` (util-linux) runs the built CLI on a
 * pseudo-terminal, so delete really asks and create really draws its progress line.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FAKE_UV_DIR, assertBuilt, buildWheel, makeFakeVenv, makeTempDir, removeTempDir, snapshot, which } from '../fixtures/venv/helpers.js';

const script = await which('script');
const skipReason = script ? '' : ' (skipped: `script` from util-linux is not installed, so there is no pseudo-terminal)';
let work: string;

beforeAll(async () => {
  if (!script) console.warn(`venv e2e: the terminal tests are skipped${skipReason}`);
  assertBuilt();
  work = await makeTempDir();
});

afterAll(async () => {
  if (work) await removeTempDir(work);
});

/** Starts the CLI on a pty; `answerWhen` types `answer` once the output shows `prompt`. */
async function onTty(args: string[], options: { env?: NodeJS.ProcessEnv; prompt?: string; answer?: string } = {}) {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qec', quoted, '/dev/null'], { cwd: work, env: { ...process.env, NO_COLOR: '1', ...options.env }, reject: false });
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
  });
  if (options.prompt !== undefined) {
    for (let i = 0; i < 800 && !seen.includes(options.prompt); i++) await new Promise((r) => setTimeout(r, 25));
    expect(seen).toContain(options.prompt);
    child.stdin!.write(`${options.answer}\n`);
  }
  const result = await child;
  return { exitCode: result.exitCode, output: seen };
}

describe.skipIf(!script)(`venv on a terminal${skipReason}`, () => {
  it('delete asks, and keeps the venv when the answer is no', async () => {
    const venv = path.join(work, 'tty-venv-no');
    await makeFakeVenv(venv);
    const before = await snapshot(venv);
    const result = await onTty(['venv', 'delete', venv], { prompt: '[y/N]', answer: 'n' });
    expect(result.output).toMatch(/Delete virtual environment .*tty-venv-no \(Python 3\.11\.2, \d+\.\d KiB\)\? \[y\/N\]/);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('mcp-guard: not deleted:');
    expect(await snapshot(venv)).toEqual(before);
  });

  it('delete asks, and deletes the venv when the answer is yes', async () => {
    const venv = path.join(work, 'tty-venv-yes');
    await makeFakeVenv(venv);
    const result = await onTty(['venv', 'delete', venv], { prompt: '[y/N]', answer: 'y' });
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/Deleted virtual environment .*tty-venv-yes: freed/);
    expect(existsSync(venv)).toBe(false);
  });

  it('create draws a spinner line per step on stderr and ticks each step off', async () => {
    const wheels = path.join(work, 'wheels');
    await buildWheel(wheels, 'tinyb', '0.2.0');
    // The stand-in uv keeps this fast: no ensurepip.
    const result = await onTty(['venv', 'create', 'tty-created', '--packages', 'tinyb', '--find-links', wheels, '--no-index'], {
      env: { PATH: `${FAKE_UV_DIR}${path.delimiter}${process.env.PATH}` },
    });
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] creating tty-created with Python/);
    expect(result.output).toContain('\r\u001b[2K✔ creating tty-created with Python');
    expect(result.output).toContain('\r\u001b[2K✔ installing 1 package with uv pip install');
    // No plain `mcp-guard:` progress lines on a terminal: the spinner replaces them.
    expect(result.output).not.toContain('mcp-guard: creating');
    expect(result.output).toContain('Created virtual environment tty-created');
    expect(existsSync(path.join(work, 'tty-created', 'pyvenv.cfg'))).toBe(true);
  });
});
