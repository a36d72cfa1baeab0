// The other ways servers read a string as a path (src/policy/engine/path-readings.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandVariables, otherReadings, withoutEdges } from '../../../../src/policy/engine/path-readings.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

const VARS: Record<string, string> = { HOME: '/home/me', WS: '/work/ws', _x1: 'X', EMPTY: '' };
const variable = (name: string) => VARS[name];

/** Python's posixpath.expandvars, as the regular expression it is written with. */
function pythonExpandvars(text: string): string {
  return text.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => VARS[name.replace(/^\{|\}$/g, '')] ?? whole);
}

describe('expandVariables', () => {
  it.each([
    ['$HOME/.config', '/home/me/.config'],
    ['${WS}/state', '/work/ws/state'],
    ['a$_x1b', undefined],
    ['$_x1/b', 'X/b'],
    ['${EMPTY}x', 'x'],
    ['$UNSET/x and $HOME', '$UNSET/x and /home/me'],
    ['${}${HOME', undefined],
    ['costs $5', undefined],
    ['no variables', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(expandVariables(text, variable)).toBe(expected);
  });

  it('agrees with Python’s expandvars on generated strings', () => {
    const piece = fc.constantFrom('$', '{', '}', 'HOME', 'WS', '_x1', 'EMPTY', 'UNSET', '/', 'a', '5', ' ', '$$', '${');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const text = pieces.join('');
        const expected = pythonExpandvars(text);
        return (expandVariables(text, variable) ?? text) === expected;
      }),
      { numRuns: 3000 },
    );
  });

  it('takes time linear in the text, braces that never close included', () => {
    const started = performance.now();
    expect(expandVariables('${'.repeat(200_000), variable)).toBeUndefined();
    expect(expandVariables('$'.repeat(400_000), variable)).toBeUndefined();
    // Generous: the quadratic form takes minutes here.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("expands the host's own environment variables only, and $HOME as the home paths are judged with", () => {
    const env = hostFileSystem({ home: '/judged/home' });
    expect(expandVariables('${constructor}/x $__proto__ $toString', env.variable!)).toBeUndefined();
    expect(expandVariables('$HOME/x', env.variable!)).toBe('/judged/home/x');
    expect(expandVariables('${PATH}', env.variable!)).toBe(process.env.PATH);
  });

  it('stops reading once the result would be longer than any path', () => {
    const long = { variable: (name: string) => (name === 'BIG' ? 'x'.repeat(4000) : undefined) };
    expect(expandVariables('$BIG/'.repeat(10), long.variable)).toHaveLength(40_010);
    expect(expandVariables('$BIG/'.repeat(100), long.variable)).toBeUndefined();
  });
});

describe('otherReadings', () => {
  it('has none for an ordinary string, and does not call for variables then', () => {
    let asked = 0;
    const env = { variable: () => (asked++, undefined) };
    expect(otherReadings('The quick brown fox.', env)).toEqual([]);
    expect(otherReadings('src/main.ts', env)).toEqual([]);
    expect(asked).toBe(0);
  });

  it('reads every combination of the changes a server may make', () => {
    const readings = otherReadings(' "$WS\\policy.json" ', { variable });
    expect(readings).toContain('$WS\\policy.json');
    expect(readings).toContain(' "$WS/policy.json" ');
    expect(readings).toContain('$WS/policy.json');
    expect(readings).toContain('/work/ws/policy.json');
    expect(readings).toContain(' "/work/ws\\policy.json" ');
    expect(new Set(readings).size).toBe(readings.length);
  });

  it('reads a string longer than 64 KiB only up to its first NUL, whatever else it holds', () => {
    const long = '\\$HOME "x" '.repeat(20_000);
    expect(otherReadings(long, { variable })).toEqual([]);
    expect(otherReadings(`policy.json\0${long}`, { variable })).toEqual(['policy.json']);
  });

  it("applies the changes to what a variable's value brings too, in any order", () => {
    const env = { variable: (name: string) => ({ PADDED: ' /work/ws ', WIN: '\\work\\ws' })[name] };
    expect(otherReadings('$PADDED', env)).toContain('/work/ws');
    expect(otherReadings('$WIN\\policy.json', env)).toContain('/work/ws/policy.json');
  });

  it('reads a NUL as C does and as sanitizers do', () => {
    expect(otherReadings('policy.json\0.txt')).toEqual(['policy.json', 'policy.json.txt']);
  });

  it('strips edges with loops that agree with trim() and strip() together', () => {
    const edge = fc.constantFrom(' ', '\t', '\n', '\u000b', '\u001c', '\u0085', '\u00a0', '\u2028', '\ufeff', '"', "'");
    const middle = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => withoutEdges(s) === undefined);
    fc.assert(
      fc.property(fc.array(edge, { maxLength: 5 }), middle, fc.array(edge, { maxLength: 5 }), (before, inside, after) => {
        const text = before.join('') + inside + after.join('');
        return (withoutEdges(text) ?? text) === inside;
      }),
      { numRuns: 2000 },
    );
  });
});
