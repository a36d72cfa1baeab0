import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/clients/config-files.js';
import { planConfigEdit } from '../../../src/clients/edit-configs.js';
import type { ConfigLocation } from '../../../src/clients/registry.js';
import { writeConfigFile } from '../../../src/clients/write-config.js';
import { GuardError } from '../../../src/errors.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mcp-guard-write-'));
}

async function rejection(promise: Promise<unknown>): Promise<GuardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GuardError);
  return error as GuardError;
}

describe('writeConfigFile', () => {
  it('replaces the file and keeps the old text, with the same mode, in a timestamped backup beside it', async () => {
    const dir = folder();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    const first = await writeConfigFile(file, 'old', 'new', NOW);
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(first.backup).toBe(`${file}.20260304T050607Z.mcp-guard.bak`);
    expect(readFileSync(first.backup, 'utf8')).toBe('old');
    expect(statSync(first.backup).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await writeConfigFile(file, 'new', 'newer', NOW);
    expect(second.backup).toBe(`${file}.20260304T050607Z-2.mcp-guard.bak`);
    expect(readdirSync(dir).sort()).toEqual(['mcp.json', 'mcp.json.20260304T050607Z-2.mcp-guard.bak', 'mcp.json.20260304T050607Z.mcp-guard.bak']);
  });

  it('refuses a file that no longer holds the text the edit was made from, and leaves nothing behind', async () => {
    const dir = folder();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, 'changed by the client');
    const error = await rejection(writeConfigFile(file, 'what was read', 'edited', NOW));
    expect(error.code).toBe('CONFIG_CHANGED');
    expect(error.exitCode).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('changed by the client');
    expect(readdirSync(dir)).toEqual(['mcp.json']);
  });

  it('writes a symlinked config through to its target, keeping the link', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'real.json'), 'old');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    const written = await writeConfigFile(join(dir, 'link.json'), 'old', 'new', NOW);
    expect(written.file).toBe(join(dir, 'real.json'));
    expect(readFileSync(join(dir, 'link.json'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'link.json')).isFile()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('link.json'))).toEqual(['link.json']);
  });
});

describe('wrap refuses a config that changed between read and write', () => {
  it('plans from what it read, and writes nothing when the client has written the file since', async () => {
    const dir = folder();
    const file = join(dir, 'claude_desktop_config.json');
    const text = '{ "mcpServers": { "a": { "command": "npx", "args": ["srv"] } } }\n';
    writeFileSync(file, text);
    const location: ConfigLocation = { client: 'claude-desktop', scope: 'user', file, format: 'json', serversKey: 'mcpServers' };
    const plan = planConfigEdit({ location, text, document: parseConfig(text, location) }, () => true, {
      kind: 'wrap',
      settingsFor: () => ({ launcher: { command: '/usr/bin/node', script: '/opt/mcp-guard/bin/mcp-guard.js' }, policy: '/p.json', platform: 'linux' }),
    });
    expect(plan.after).not.toBe(text);
    const meanwhile = text.replace('"a"', '"b"');
    writeFileSync(file, meanwhile);
    expect((await rejection(writeConfigFile(file, text, plan.after, NOW))).code).toBe('CONFIG_CHANGED');
    expect(readFileSync(file, 'utf8')).toBe(meanwhile);
    expect(readdirSync(dir)).toEqual(['claude_desktop_config.json']);
  });
});
