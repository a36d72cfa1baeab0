import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir } from '../../../src/state/ensure-dir.js';

describe('ensureDir', () => {
  it('creates missing levels with the given mode and accepts an existing directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'mcp-guard-dir-'));
    const deep = join(root, 'a', 'b', 'c');
    ensureDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(() => ensureDir(deep)).not.toThrow();
  });
  it('fails with a clear error when a file is in the way', () => {
    const root = mkdtempSync(join(tmpdir(), 'mcp-guard-dir-'));
    writeFileSync(join(root, 'file'), '');
    expect(() => ensureDir(join(root, 'file'))).toThrow(/not a directory/);
    expect(() => ensureDir(join(root, 'file', 'below'))).toThrow();
  });
  it.runIf(existsSync('/proc/self'))('fails at once under /proc, where a recursive mkdir spins forever on Node 20', () => {
    expect(() => ensureDir('/proc/mcp-guard-nope/state')).toThrow();
  });
});
