import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = join(ROOT, 'docs');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };

/**
 * Where the snippets say mcp-guard is installed. A policy path in a client config must start with
 * one of these and name a file the package ships, so a reader who replaces the prefix gets a file
 * that exists.
 */
const INSTALL_PREFIXES = ['/path/to/mcp-guard/', 'C:\\path\\to\\mcp-guard\\'];
/** Where the snippets say a user's home is; `~` in a shell command stands for it. */
const HOMES = ['/home/me/', '/Users/me/', 'C:\\Users\\me\\'];

interface Block {
  file: string;
  line: number;
  text: string;
}

/** The README's sections (docs/readme/), the reference pages (docs/) and README.md itself. */
function markdownFiles(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? under(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return [...under(DOCS), ...(existsSync(join(ROOT, 'README.md')) ? [join(ROOT, 'README.md')] : [])];
}

/** The policy files the snippets' own `mcp-guard init -o ~/…` commands write, as `~/…` paths. */
function writtenByInit(): Set<string> {
  const written = new Set<string>();
  for (const file of markdownFiles()) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^mcp-guard init -o (~\/\S+)/gm)) written.add(match[1]!);
  }
  return written;
}

function jsonBlocks(): Block[] {
  const blocks: Block[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
      blocks.push({ file: file.slice(ROOT.length + 1), line: text.slice(0, match.index).split('\n').length, text: match[1]! });
    }
  }
  return blocks;
}

/** A block is a JSON value, or (in the policy reference) a run of object members shown out of their object. */
function parseBlock(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (whole) {
    try {
      return JSON.parse(`{${text}}`);
    } catch {
      throw whole;
    }
  }
}

interface ServerConfig {
  type?: string;
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

/** The client configs among the blocks: `mcpServers` (Claude Desktop, Claude Code, Cursor) or `servers` (VS Code). */
function clientConfigs(): Array<{ block: Block; key: 'mcpServers' | 'servers'; name: string; server: ServerConfig }> {
  const out = [];
  for (const block of jsonBlocks()) {
    const value = parseBlock(block.text) as Record<string, unknown>;
    for (const key of ['mcpServers', 'servers'] as const) {
      if (value === null || typeof value !== 'object' || !(key in value)) continue;
      for (const [name, server] of Object.entries(value[key] as Record<string, ServerConfig>)) out.push({ block, key, name, server });
    }
  }
  return out;
}

describe('documentation snippets', () => {
  const blocks = jsonBlocks();

  it('finds the client setup snippets', () => {
    expect(blocks.filter((b) => b.file.endsWith('clients.md')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s is valid JSON', (_where, block) => {
    expect(() => parseBlock(block.text)).not.toThrow();
  });

  const configs = clientConfigs();
  it('every client config that runs mcp-guard names an absolute policy that exists (shipped, or written by the init the docs show), and a server after --', () => {
    const guarded = configs.filter(({ server }) => [server.command, ...(server.args ?? [])].includes('mcp-guard'));
    expect(guarded.length).toBeGreaterThanOrEqual(6);
    const made = writtenByInit();
    for (const { block, name, server } of guarded) {
      const where = `${block.file}:${block.line} ${name}`;
      const args = server.args ?? [];
      const policyAt = args.findIndex((a) => a === '--policy' || a === '-p');
      expect(policyAt, `${where}: --policy`).toBeGreaterThan(-1);
      const policy = args[policyAt + 1]!;
      const home = HOMES.find((h) => policy.startsWith(h));
      if (home) {
        // A policy in the user's home: one that a documented `mcp-guard init -o ~/…` writes.
        const tilde = `~/${policy.slice(home.length).split('\\').join('/')}`;
        expect(made, `${where}: ${policy} is written by a documented mcp-guard init -o ${tilde}`).toContain(tilde);
        expect(args.indexOf('--'), `${where}: --`).toBeGreaterThan(policyAt);
        continue;
      }
      const prefix = INSTALL_PREFIXES.find((p) => policy.startsWith(p));
      expect(prefix, `${where}: ${policy} should start with one of ${INSTALL_PREFIXES.join(' or ')}`).toBeDefined();
      const inPackage = policy.slice(prefix!.length).split(prefix!.includes('\\') ? '\\' : '/').join('/');
      expect(existsSync(join(ROOT, inPackage)), `${where}: ${inPackage} exists`).toBe(true);
      expect(PACKAGE.files.some((f) => inPackage === f || inPackage.startsWith(`${f}/`)), `${where}: ${inPackage} is in package.json "files"`).toBe(true);
      // mcp-guard's own options end at "--"; the server command follows it.
      const separator = args.indexOf('--');
      expect(separator, `${where}: --`).toBeGreaterThan(policyAt);
      expect(args.length, `${where}: a server command after --`).toBeGreaterThan(separator + 1);
      if (server.env) expect(Object.values(server.env).every((v) => typeof v === 'string'), `${where}: env values are strings`).toBe(true);
    }
  });

  it('VS Code configs use "servers" with "type": "stdio"; the others use "mcpServers"', () => {
    for (const { block, key, name, server } of configs) {
      if (key === 'servers') expect(server.type, `${block.file}:${block.line} ${name}`).toBe('stdio');
      else expect(server.type === undefined || server.type === 'stdio', `${block.file}:${block.line} ${name}`).toBe(true);
    }
    expect(configs.some((c) => c.key === 'servers')).toBe(true);
  });

  it('client configs start the installed mcp-guard command, never npx', () => {
    for (const { block, name, server } of configs) {
      const words = [server.command, ...(server.args ?? [])];
      const end = words.indexOf('--') === -1 ? words.length : words.indexOf('--');
      if (words.includes('mcp-guard')) expect(words.slice(0, end), `${block.file}:${block.line} ${name}`).not.toContain('npx');
    }
  });

  it('Windows configs start the .cmd scripts through cmd /c, for mcp-guard and for an npx server', () => {
    const windows = configs.filter(({ server }) => server.command === 'cmd');
    expect(windows.length).toBeGreaterThan(0);
    for (const { server } of windows) {
      const args = server.args ?? [];
      expect(args.slice(0, 2)).toEqual(['/c', 'mcp-guard']);
      const afterSeparator = args.slice(args.indexOf('--') + 1);
      if (afterSeparator[0] !== 'node' && afterSeparator[0] !== 'python') expect(afterSeparator.slice(0, 3)).toEqual(['cmd', '/c', 'npx']);
    }
  });
});
