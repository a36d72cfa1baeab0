/**
 * Every fixture config (taken from each client's documentation) wrapped and unwrapped: after wrap
 * it still parses in its format (strict JSON stays strict JSON) with exactly the intended command
 * and args and every other key as it was; after unwrap it is byte for byte the original.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { type FoundConfig, parseConfig } from '../../../src/clients/config-files.js';
import { planConfigEdit, type EditOperation } from '../../../src/clients/edit-configs.js';
import type { ConfigLocation } from '../../../src/clients/registry.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/clients');

export const FIXTURE_LOCATIONS: Array<{ fixture: string; location: Omit<ConfigLocation, 'file'>; strictJson: boolean }> = [
  { fixture: 'claude-desktop.json', location: { client: 'claude-desktop', scope: 'user', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'claude-desktop-windows.json', location: { client: 'claude-desktop', scope: 'user', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'claude-code-user.json', location: { client: 'claude-code', scope: 'user', format: 'json', serversKey: 'mcpServers', projectEntries: true }, strictJson: true },
  { fixture: 'claude-code-project.mcp.json', location: { client: 'claude-code', scope: 'project', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'cursor.json', location: { client: 'cursor', scope: 'user', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'vscode.jsonc', location: { client: 'vscode', scope: 'project', format: 'json', serversKey: 'servers' }, strictJson: false },
  { fixture: 'windsurf.json', location: { client: 'windsurf', scope: 'user', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'gemini.json', location: { client: 'gemini', scope: 'user', format: 'json', serversKey: 'mcpServers' }, strictJson: true },
  { fixture: 'codex.toml', location: { client: 'codex', scope: 'user', format: 'toml', serversKey: 'mcp_servers' }, strictJson: false },
];

const PLATFORMS = {
  linux: { launcher: { command: '/usr/bin/node', script: '/opt/mcp-guard/bin/mcp-guard.js' }, policy: '/home/me/.config/mcp-guard/p.json', other: '/home/me/other "policy".json' },
  win32: {
    launcher: { command: 'C:\\Program Files\\nodejs\\node.exe', script: 'C:\\Users\\me\\AppData\\Roaming\\npm\\node_modules\\mcp-guard\\bin\\mcp-guard.js' },
    policy: 'C:\\Users\\me\\mcp-guard\\p.json',
    other: 'D:\\policies\\other.json',
  },
} as const;
type Platform = keyof typeof PLATFORMS;

function load(fixture: string, location: Omit<ConfigLocation, 'file'>, text = readFileSync(join(FIXTURES, fixture), 'utf8')): FoundConfig {
  const full = { ...location, file: join(FIXTURES, fixture) };
  return { location: full, text, document: parseConfig(text, full) };
}

function wrap(config: FoundConfig, platform: Platform, policy: string = PLATFORMS[platform].policy) {
  const operation: EditOperation = { kind: 'wrap', settingsFor: () => ({ launcher: PLATFORMS[platform].launcher, policy, platform }) };
  return planConfigEdit(config, () => true, operation);
}

function unwrap(config: FoundConfig) {
  return planConfigEdit(config, () => true, { kind: 'unwrap' });
}

/** The servers of a file, read by the format's own parser (not ours). */
function serversOf(text: string, location: Omit<ConfigLocation, 'file'>): Record<string, Record<string, unknown>> {
  type Servers = Record<string, Record<string, unknown>>;
  const root = (location.format === 'toml' ? parseToml(text) : parseJsonc(text, [], { allowTrailingComma: true })) as Record<string, Servers> & { projects?: Record<string, Record<string, Servers>> };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, server] of Object.entries(root[location.serversKey] ?? {})) out[name] = { ...(server as object) };
  if (location.projectEntries) {
    for (const [project, entry] of Object.entries(root.projects ?? {})) {
      for (const [name, server] of Object.entries(entry[location.serversKey] ?? {})) out[`${project}#${name}`] = { ...server };
    }
  }
  return out;
}

const isRemote = (server: Record<string, unknown>) => typeof server.command !== 'string';
const needsShell = (command: string) => /(^|[\\/])(npx|npm)(\.cmd)?$/i.test(command);

describe.each(FIXTURE_LOCATIONS)('$fixture', ({ fixture, location, strictJson }) => {
  const original = load(fixture, location);
  const before = serversOf(original.text, location);

  it.each(['linux', 'win32'] as const)('wraps every stdio server on %s, keeps everything else, and unwraps to the same bytes', (platform) => {
    const { launcher, policy } = PLATFORMS[platform];
    const wrapped = wrap(original, platform);
    expect(wrapped.after).not.toBe(original.text);
    if (strictJson) expect(() => JSON.parse(wrapped.after)).not.toThrow();
    const after = serversOf(wrapped.after, location);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [name, server] of Object.entries(before)) {
      if (isRemote(server)) {
        expect(after[name], name).toEqual(server);
        continue;
      }
      const { command, args, ...rest } = after[name]!;
      const { command: oldCommand, args: oldArgs, ...oldRest } = server;
      expect(rest, name).toEqual(oldRest);
      expect(command, name).toBe(launcher.command);
      const shell = platform === 'win32' && needsShell(oldCommand as string) ? ['cmd', '/d', '/c'] : [];
      expect(args, name).toEqual([launcher.script, '--policy', policy, '--', ...shell, oldCommand, ...((oldArgs as string[]) ?? [])]);
    }
    expect(wrapped.outcomes.filter((o) => o.action === 'remote').length).toBe(Object.values(before).filter(isRemote).length);

    const restored = unwrap(load(fixture, location, wrapped.after));
    expect(restored.after).toBe(original.text);
  });

  it('is idempotent, changes only the policy when given another, and still unwraps exactly', () => {
    const once = wrap(original, 'linux');
    const twice = wrap(load(fixture, location, once.after), 'linux');
    expect(twice.after).toBe(once.after);
    expect(twice.outcomes.every((o) => o.action === 'already-guarded' || o.action === 'remote')).toBe(true);

    const other = wrap(load(fixture, location, once.after), 'linux', PLATFORMS.linux.other);
    expect(other.outcomes.filter((o) => o.action === 'update-policy').length).toBe(Object.values(before).filter((s) => !isRemote(s)).length);
    for (const server of Object.values(serversOf(other.after, location)).filter((s) => !isRemote(s))) {
      expect((server.args as string[]).slice(0, 4)).toEqual([PLATFORMS.linux.launcher.script, '--policy', PLATFORMS.linux.other, '--']);
    }
    expect(unwrap(load(fixture, location, other.after)).after).toBe(original.text);
  });

  it('unwrap leaves a file with nothing guarded as it is', () => {
    const result = unwrap(original);
    expect(result.after).toBe(original.text);
    expect(result.outcomes.every((o) => o.action === 'not-guarded' || o.action === 'remote')).toBe(true);
  });
});

describe('layouts unwrap could not tell apart', () => {
  const location = FIXTURE_LOCATIONS[0]!.location;
  const entry = (server: string) => `{\n  "mcpServers": {\n    "s": ${server}\n  }\n}\n`;

  it.each([
    ['no args', '{ "command": "srv" }'],
    ['empty args on their own line', '{\n      "command": "srv",\n      "args": []\n    }'],
    ['empty args spaced inside', '{ "command": "srv", "args": [ ] }'],
  ])('round-trips %s', (_name, server) => {
    const original = load('x.json', location, entry(server));
    const wrapped = wrap(original, 'linux');
    expect(wrapped.outcomes[0]!.action).toBe('wrap');
    expect(unwrap(load('x.json', location, wrapped.after)).after).toBe(original.text);
  });

  it.each([
    ['empty args right after the command, as wrap writes a missing one', '{ "command": "srv", "args": [] }'],
    ['a command that is already the shell wrap adds on Windows', '{ "command": "cmd", "args": ["/d", "/c", "npx", "srv"] }'],
  ])('leaves %s as it is, and says why', (_name, server) => {
    const original = load('x.json', location, entry(server));
    const wrapped = wrap(original, 'win32');
    expect(wrapped.outcomes[0]).toMatchObject({ action: 'unsupported', reason: expect.stringContaining('unwrap could not restore') });
    expect(wrapped.after).toBe(original.text);
  });
});
