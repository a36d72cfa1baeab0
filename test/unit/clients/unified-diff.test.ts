import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/clients/unified-diff.js';

/** Applies a unified diff the way patch does, checking every context and removed line. */
function applyPatch(before: string, diff: string): string {
  const lines = before.split('\n');
  const complete = lines[lines.length - 1] === '';
  if (complete) lines.pop();
  // Each output line, and whether it lacks a line break (only ever the last one).
  const out: Array<{ text: string; open: boolean }> = [];
  const fromBefore = (k: number) => ({ text: lines[k]!, open: !complete && k === lines.length - 1 });
  let at = 0;
  const patch = diff.split('\n').slice(2, -1);
  for (let i = 0; i < patch.length; i++) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(patch[i]!);
    if (header) {
      const start = Number(header[1]) - (header[2] === '0' ? 0 : 1);
      while (at < start) out.push(fromBefore(at++));
      continue;
    }
    const line = patch[i]!;
    const open = patch[i + 1] === '\\ No newline at end of file';
    if (line[0] === ' ' || line[0] === '-') expect(lines[at++]).toBe(line.slice(1));
    if (line[0] === ' ' || line[0] === '+') out.push({ text: line.slice(1), open });
    if (open) i++;
  }
  while (at < lines.length) out.push(fromBefore(at++));
  return out.map((l) => l.text + (l.open ? '' : '\n')).join('');
}

describe('unifiedDiff', () => {
  it('writes hunks with three lines of context, as diff -u does', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', ''].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i', ''].join('\n');
    expect(unifiedDiff(before, after, 'x.json')).toBe('--- x.json\n+++ x.json\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff('same\n', 'same\n', 'x')).toBe('');
  });

  it('patches the old text into the new one', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', '{', '}', ''), { maxLength: 30 }).map((l) => l.join('\n'));
    fc.assert(
      fc.property(text, text, (before, after) => {
        expect(applyPatch(before, unifiedDiff(before, after, 'f') || '--- f\n+++ f\n')).toBe(after);
      }),
      { numRuns: 500 },
    );
  });
});
