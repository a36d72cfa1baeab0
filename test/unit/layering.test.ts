import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const files = sources(SRC).map((file) => ({ name: relative(SRC, file), text: readFileSync(file, 'utf8') }));

describe('layering', () => {
  it('keeps the decision engine pure: no I/O modules, no clock, no process, nothing above it', () => {
    const engine = files.filter((f) => f.name.startsWith('policy/engine/') || f.name === 'limits/sliding-window.ts');
    expect(engine.map((f) => f.name)).toContain('policy/engine/decide.ts');
    for (const f of engine) {
      const imports = [...f.text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) {
        expect(spec, `${f.name} imports ${spec}`).not.toMatch(/^node:(?!path$)|^(execa|chalk|better-sqlite3|ioredis|redis)$/);
        expect(spec, `${f.name} imports ${spec}`).not.toMatch(/\/(cli|proxy|state|source|checks)\/|host-file-system/);
      }
      expect(f.text, f.name).not.toMatch(/\bDate\.now\(|new Date\(|\bprocess\.|\bconsole\./);
    }
  });
  it('keeps the protocol layer below everything: framing and message rules import no policy, relay or state', () => {
    const protocol = files.filter((f) => f.name.startsWith('protocol/'));
    expect(protocol.map((f) => f.name)).toContain('protocol/message.ts');
    for (const f of protocol) {
      for (const [, spec] of f.text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) expect(spec, `${f.name} imports ${spec}`).toMatch(/^(node:|\.\/)/);
    }
  });
  it('never exits the process from library code', () => {
    for (const f of files) expect(f.text, f.name).not.toMatch(/process\.exit\(/);
  });
  it('writes to the console only from the CLI', () => {
    for (const f of files.filter((f) => !f.name.startsWith('cli/'))) expect(f.text, f.name).not.toMatch(/console\.(log|error|warn|info)/);
  });
  it('writes to the client (stdout in `run`) only from the relay\'s output module', () => {
    // Everything else, approval requests included, goes through ClientOutput, which holds lines
    // while a long response is streamed: a write from anywhere else could land inside it.
    const proxy = files.filter((f) => f.name.startsWith('proxy/'));
    expect(proxy.map((f) => f.name)).toContain('proxy/outputs.ts');
    const writesToClient = /\b(clientOut|stdout)\.(write|end)\(/;
    const writers = proxy.filter((f) => writesToClient.test(f.text.replace(/\/\/.*$/gm, '')) && f.name !== 'proxy/outputs.ts').map((f) => f.name);
    expect(writers).toEqual([]);
    expect(files.filter((f) => !f.name.startsWith('cli/') && /process\.stdout\.write/.test(f.text)).map((f) => f.name)).toEqual([]);
  });
});
