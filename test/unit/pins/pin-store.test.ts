import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definitionDigest } from '../../../src/pins/definitions.js';
import { listPins, readPins, updatePins } from '../../../src/pins/pin-store.js';
import { PINS_DOCUMENT_KIND, pinKey } from '../../../src/pins/pin-document.js';
import { SqliteStateStore } from '../../../src/state/sqlite-store.js';

const stores: SqliteStateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function store(dir = join(mkdtempSync(join(tmpdir(), 'mcp-guard-pins-')), 'state')): SqliteStateStore {
  const s = new SqliteStateStore(dir);
  stores.push(s);
  return s;
}

const pin = (name: string) => ({ digest: definitionDigest({ name }), definition: { name }, pinnedAt: 't' });

describe('pins in the state store', () => {
  it('are kept per grant and command line', async () => {
    const s = store();
    const add = (grant: string, server: string[], name: string) =>
      updatePins(s, grant, server, (p) => {
        const k = p.kinds.get('tools') ?? { pinnedAt: 't', updatedAt: 't', pins: new Map(), seen: undefined };
        k.pins.set(name, pin(name));
        p.kinds.set('tools', k);
        return true;
      });
    await add('/a.json', ['node', 'x.js'], 'one');
    await add('/a.json', ['node', 'y.js'], 'two');
    await add('/b.json', ['node', 'x.js'], 'three');
    // Words, not a joined string: "a b" is one argument.
    await add('/a.json', ['node', 'x.js a'], 'four');
    const a = await listPins(s, '/a.json');
    expect(a.map((e) => [e.pins.server, [...e.pins.kinds.get('tools')!.pins.keys()]])).toEqual(
      expect.arrayContaining([
        [['node', 'x.js'], ['one']],
        [['node', 'y.js'], ['two']],
        [['node', 'x.js a'], ['four']],
      ]),
    );
    expect(a).toHaveLength(3);
    expect((await listPins(s, '/b.json')).map((e) => e.pins.server)).toEqual([['node', 'x.js']]);
    expect((await readPins(s, '/c.json', ['node', 'x.js'])).pins).toBeUndefined();
  });

  it('are changed by compare-and-set: a writer that lost the race reads again and keeps both changes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mcp-guard-pins-')), 'state');
    const mine = store(dir);
    const theirs = store(dir);
    let attempts = 0;
    await updatePins(mine, '/g', ['s'], (p) => {
      attempts++;
      if (attempts === 1) {
        // Another process writes between this read and this write.
        void updatePins(theirs, '/g', ['s'], (q) => {
          q.kinds.set('prompts', { pinnedAt: 't', updatedAt: 't', pins: new Map([['theirs', pin('theirs')]]), seen: undefined });
          return true;
        });
      }
      p.kinds.set('tools', { pinnedAt: 't', updatedAt: 't', pins: new Map([['mine', pin('mine')]]), seen: undefined });
      return true;
    });
    expect(attempts).toBe(2);
    const read = await readPins(theirs, '/g', ['s']);
    expect(read.version).toBe(2);
    expect([...read.pins!.kinds.keys()].sort()).toEqual(['prompts', 'tools']);
  });

  it('name a document that cannot be read, and init may replace it', async () => {
    const s = store();
    s.writeDocument(PINS_DOCUMENT_KIND, pinKey('/g', ['s']), { format: 99 }, undefined);
    expect(() => readPins(s, '/g', ['s'])).toThrow(/cannot be read .*mcp-guard init/);
    const replaced = await updatePins(
      s,
      '/g',
      ['s'],
      (p) => {
        p.kinds.set('tools', { pinnedAt: 't', updatedAt: 't', pins: new Map([['a', pin('a')]]), seen: undefined });
        return true;
      },
      { replaceUnreadable: true },
    );
    expect(replaced.version).toBe(2);
    expect([...(await readPins(s, '/g', ['s'])).pins!.kinds.get('tools')!.pins.keys()]).toEqual(['a']);
  });
});
