import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ROOT, workspace, type Workspace } from './support/guard.js';

/**
 * `file:` resource URIs an agent could spell so that the policy's `resources` globs, or
 * self-protection, see another path than the server opens. The server (test/fixtures/
 * file-resource-server.mjs) really reads the file, once as Node servers turn a URI into a path
 * (WHATWG URL, fileURLToPath) and once as Python servers often do (urlparse, unquote, open).
 */
const SERVER = join(ROOT, 'test/fixtures/file-resource-server.mjs');
const SECRET = 'SECRET-KEY-MATERIAL';

let ws: Workspace;

beforeAll(() => {
  ws = workspace({});
  for (const dir of ['secrets', 'my secrets', 'other secrets', 'public']) mkdirSync(join(ws.dir, dir));
  for (const dir of ['secrets', 'my secrets', 'other secrets']) writeFileSync(join(ws.dir, dir, 'key.pem'), SECRET);
  writeFileSync(join(ws.dir, 'public', 'readme.md'), 'hello');
  ws.writePolicy({
    version: '1',
    default: 'allow',
    resources: {
      [`file://${ws.dir}/secrets/**`]: 'deny',
      // One written with a raw space, one with its escape: each must hold for both spellings.
      [`file://${ws.dir}/my secrets/**`]: 'deny',
      [`file://${ws.dir}/other%20secrets/**`]: 'deny',
    },
  });
});

/** Spellings of the absolute path `p` as a `file:` URI that some server reads as `p`. */
function spellings(p: string): Array<[string, string]> {
  const [dir, file] = [p.slice(0, p.lastIndexOf('/')), p.slice(p.lastIndexOf('/') + 1)];
  const escaped = p.replaceAll(' ', '%20');
  return [
    ['as written', `file://${escaped}`],
    ['localhost as the host', `file://localhost${escaped}`],
    ['another host (ignored by urlparse readers)', `file://server${escaped}`],
    ['no authority', `file:${escaped}`],
    ['backslashes (a WHATWG parser reads them as /)', `file:${escaped.replaceAll('/', '\\')}`],
    ['an escaped separator', `file://${dir.replaceAll(' ', '%20')}%2F${file}`],
    ['an escaped .. separator', `file://${ws.dir}/public/..%2F${escaped.slice(ws.dir.length + 1)}`],
    ['an escaped letter', `file://${escaped.replace('/key.pem', '/%6Bey.pem')}`],
    ['a raw space where the policy has %20, and the reverse', `file://${p}`],
    ['surrounding spaces', ` file://${escaped} `],
    ['upper-case scheme', `FILE://${escaped}`],
  ];
}

describe.each(['whatwg', 'python'])('file: URIs read the way a %s server reads them', (reader) => {
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    session = await connect(ws, { server: ['node', SERVER], env: { FILE_READER: reader } });
  });
  afterAll(async () => session?.client.close());

  const read = async (uri: string) => {
    try {
      return JSON.stringify(await session.client.readResource({ uri }));
    } catch (error) {
      return String((error as Error).message);
    }
  };

  it('reads an allowed file (the server really opens what it is sent)', async () => {
    expect(await read(`file://${ws.dir}/public/readme.md`)).toContain('hello');
  });

  it.each(['secrets', 'my secrets', 'other secrets', 'policy'])('never returns a denied or protected file (%s), however the URI is spelled', async (target) => {
    const path = target === 'policy' ? ws.policyFile : join(ws.dir, target, 'key.pem');
    const leaked: string[] = [];
    for (const [why, uri] of spellings(path)) {
      const answer = await read(uri);
      // The policy's text is recognised by one of its globs.
      if (answer.includes(SECRET) || answer.includes('other%20secrets/**')) leaked.push(`${why}: ${uri}`);
    }
    expect(leaked).toEqual([]);
  });
});
