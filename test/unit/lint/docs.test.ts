import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LINT_RULES } from '../../../src/lint/rules.js';

describe('docs/lint.md', () => {
  const doc = readFileSync('docs/lint.md', 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([a-z-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1]!, m[2]!]));

  it('has a table row for every rule, with its severity, and no rule that does not exist', () => {
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(LINT_RULES.map((r) => [r.id, r.severity])));
  });

  it('has distinct ids', () => {
    expect(new Set(LINT_RULES.map((r) => r.id)).size).toBe(LINT_RULES.length);
  });
});
