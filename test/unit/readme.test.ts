import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('README.md', () => {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const firstScreen = text.split('\n').slice(0, 60).join('\n');

  it('is built from docs/readme/ and up to date (node scripts/build-readme.mjs)', () => {
    const r = spawnSync(process.execPath, ['scripts/build-readme.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('starts with the command that runs the demo and the one that runs the tests', () => {
    const firstBlock = text.slice(text.indexOf('```sh'), text.indexOf('```', text.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('says on its first screen what mcp-guard is, how to install it, a quick start, a client snippet and the contents', () => {
    expect(firstScreen).toMatch(/^# mcp-guard\n\n.*firewall for MCP servers/m);
    expect(firstScreen).toContain('npm install -g .');
    const quickStart = firstScreen.slice(firstScreen.indexOf('## Quick start'));
    expect(firstScreen).toContain('## Quick start');
    const commands = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!.split('\n').filter((l) => l.startsWith('mcp-guard '));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    expect(quickStart).toMatch(/```json\n[\s\S]*"command": "mcp-guard"[\s\S]*```/);
    const contents = firstScreen.slice(firstScreen.indexOf('## Contents'));
    expect(firstScreen).toContain('## Contents');
    expect([...contents.matchAll(/\]\((docs\/[\w-]+\.md|#[\w-]+)\)/g)].length).toBeGreaterThanOrEqual(10);
  });

  it('stays a first screen and an index: the reference is in docs/', () => {
    expect(text.split('\n').length).toBeLessThan(500);
  });
});

describe('no snippet tells a user to run mcp-guard through npx', () => {
  // The npm name is not ours: `npx -y mcp-guard` would run whatever a stranger publishes under it.
  const files = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs')), ...filesUnder(join(ROOT, 'examples'))];

  it('finds the files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(ROOT, f), f] as const))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    // In Markdown, the snippets are the fenced blocks (prose may name the unsafe form to warn
    // about it); anything else (example policies, scripts) is checked whole.
    const snippets = file.endsWith('.md') ? [...text.matchAll(/^```.*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).join('\n') : text;
    expect(snippets).not.toMatch(/\bnpx(?:\s+(?:-y|--yes))?\s+mcp-guard\b/);
    expect(snippets).not.toMatch(/"npx",\s*(?:"-y",\s*)?"mcp-guard"/);
  });

  it('would catch one', () => {
    const block = '```sh\nnpx -y mcp-guard --policy p.json -- node server.js\n```\n';
    expect([...block.matchAll(/^```.*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).join('\n')).toMatch(/\bnpx(?:\s+(?:-y|--yes))?\s+mcp-guard\b/);
  });
});
