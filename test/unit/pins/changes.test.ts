import { describe, expect, it } from 'vitest';
import { acceptChanges, pendingChanges } from '../../../src/pins/changes.js';
import { type Definition, definitionDigest } from '../../../src/pins/definitions.js';
import { type KindPins, readServerPins, type ServerPins, storedServerPins } from '../../../src/pins/pin-document.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';

const def = (name: string, description: string, extra: Record<string, unknown> = {}): Definition => ({ name, description, inputSchema: { type: 'object' }, ...extra });

function server(pinned: Definition[], seen: Definition[] | undefined, complete = true): ServerPins {
  const tools: KindPins = {
    pinnedAt: T0,
    updatedAt: T0,
    pins: new Map(pinned.map((d) => [d.name as string, { digest: definitionDigest(d), definition: d, pinnedAt: T0 }])),
    seen: seen && { at: T1, complete, definitions: new Map(seen.map((d) => [d.name as string, d])) },
  };
  return { grant: '/p.json', server: ['node', 's.js'], kinds: new Map([['tools', tools]]) };
}

const summary = (pins: ServerPins) => pendingChanges(pins).map((c) => [c.change, c.name, ...(c.change === 'renamed' ? [c.from] : [])]);

describe('pending changes', () => {
  it('are the changed, new and no longer listed definitions of the last listing', () => {
    const pins = server([def('a', 'A'), def('b', 'B'), def('c', 'C')], [def('a', 'A'), def('b', 'B, and more'), def('d', 'D')]);
    expect(summary(pins)).toEqual([
      ['changed', 'b'],
      ['new', 'd'],
      ['removed', 'c'],
    ]);
  });

  it('are nothing when the listing matches the pins, or no listing was seen', () => {
    expect(pendingChanges(server([def('a', 'A')], [def('a', 'A')]))).toEqual([]);
    expect(pendingChanges(server([def('a', 'A')], undefined))).toEqual([]);
  });

  it('count no removal from a listing that was not read to its end', () => {
    expect(summary(server([def('a', 'A'), def('b', 'B')], [def('a', 'A')], false))).toEqual([]);
  });

  it('report a definition that comes back under a new name, with the same body, as a rename', () => {
    const pins = server([def('search', 'Find text', { title: 'Search' }), def('keep', 'K')], [def('find_text', 'Find text', { title: 'Find' }), def('keep', 'K')]);
    expect(summary(pins)).toEqual([['renamed', 'find_text', 'search']]);
  });

  it('pair each removed definition with one new name only, and never a changed body', () => {
    const pins = server([def('x', 'Same'), def('y', 'Other')], [def('x2', 'Same'), def('x3', 'Same'), def('y2', 'Other, changed')]);
    expect(summary(pins)).toEqual([
      ['renamed', 'x2', 'x'],
      ['new', 'x3'],
      ['new', 'y2'],
      ['removed', 'y'],
    ]);
  });

  it('are not renames when the old name is still listed', () => {
    expect(summary(server([def('a', 'Same')], [def('a', 'Same'), def('b', 'Same')]))).toEqual([['new', 'b']]);
  });
});

describe('accepting changes', () => {
  it('pins what was seen, forgets what is gone, and leaves nothing pending', () => {
    const pins = server([def('a', 'A'), def('b', 'B'), def('c', 'C'), def('search', 'S')], [def('a', 'A2'), def('b', 'B'), def('d', 'D'), def('find', 'S')]);
    acceptChanges(pins, pendingChanges(pins), T1);
    const tools = pins.kinds.get('tools')!;
    expect([...tools.pins.keys()].sort()).toEqual(['a', 'b', 'd', 'find']);
    expect(tools.pins.get('a')).toEqual({ digest: definitionDigest(def('a', 'A2')), definition: def('a', 'A2'), pinnedAt: T1 });
    expect(tools.pins.get('b')!.pinnedAt).toBe(T0);
    expect(tools.updatedAt).toBe(T1);
    expect(pendingChanges(pins)).toEqual([]);
  });

  it('accepts only what is chosen', () => {
    const pins = server([def('a', 'A'), def('b', 'B')], [def('a', 'A2'), def('b', 'B2')]);
    acceptChanges(pins, pendingChanges(pins).filter((c) => c.name === 'b'), T1);
    expect(summary(pins)).toEqual([['changed', 'a']]);
  });
});

describe('the stored document', () => {
  it('reads back what it wrote, names like __proto__ included, and digests computed again', () => {
    const pins = server([def('__proto__', 'P'), def('constructor', 'C')], [def('__proto__', 'P2'), def('toString', 'T')]);
    const stored = JSON.parse(JSON.stringify(storedServerPins(pins))) as Record<string, unknown>;
    const back = readServerPins(stored);
    expect([...back.kinds.get('tools')!.pins.keys()]).toEqual(['__proto__', 'constructor']);
    expect(summary(back)).toEqual([
      ['changed', '__proto__'],
      ['new', 'toString'],
      ['removed', 'constructor'],
    ]);
    // An edited digest proves nothing: it is computed from the definition.
    ((stored.tools as { pins: Record<string, { digest: string }> }).pins.constructor!).digest = 'sha256:forged';
    expect(readServerPins(stored).kinds.get('tools')!.pins.get('constructor')!.digest).toBe(definitionDigest(def('constructor', 'C')));
  });

  it('refuses a document that is not pins of this format', () => {
    expect(() => readServerPins({ format: 2, grant: 'g', server: [] })).toThrow(/format/);
    expect(() => readServerPins({ format: 1, grant: 'g', server: 'node s.js' })).toThrow(/command line/);
    expect(() => readServerPins({ format: 1, grant: 'g', server: [], tools: { pins: [] } })).toThrow(/not an object/);
  });
});
