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
    ['an escaped .. separator', `file://${dir.replaceAll(' ', '%20')}/..%2F${dir.slice(dir.lastIndexOf('/') + 1).replaceAll(' ', '%20')}%2F${file}`],
    ['an escaped letter', `file://${escaped.replace('/key.pem', '/%6Bey.pem')}`],
    ['a // before .. (URL parsers drop the empty segment, the kernel the directory)', `file://${escaped.replace('/key.pem', '//../key.pem')}`],
    ['a raw space where the policy has %20, and the reverse', `file://${p}`],
    ['surrounding spaces', ` file://${escaped} `],
    ['upper-case scheme', `FILE://${escaped}`],
    ['a tab inside the scheme (URL parsers drop it)', `fi\tle://${escaped}`],
    ['a control character before it (URL parsers strip it)', `\u0001file://${escaped}`],
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

describe.each(['whatwg', 'python'])('file: URIs in tool arguments, read the way a %s server reads them', (reader) => {
  let session: Awaited<ReturnType<typeof connect>>;
  let policyWs: Workspace;
  beforeAll(async () => {
    // The guard starts in the directory it confines the tool to, as a client started in a workspace does.
    policyWs = workspace({
      version: '1',
      default: 'deny',
      tools: { read: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': [join(ws.dir, 'public'), '/tmp/nowhere'] } }, required: ['path'], additionalProperties: false } } },
    });
    session = await connect(policyWs, { server: ['node', SERVER], env: { FILE_READER: reader }, cwd: join(ws.dir, 'public') });
  });
  afterAll(async () => session?.client.close());

  const read = async (path: string) => JSON.stringify(await session.client.callTool({ name: 'read', arguments: { path } }));

  it('reads an allowed file by path and by URI', async () => {
    expect(await read('readme.md')).toContain('hello');
    expect(await read(`file://${ws.dir}/public/readme.md`)).toContain('hello');
  });

  it('never reads a file outside x-path-within through a file: URI', async () => {
    const leaked: string[] = [];
    for (const [why, uri] of spellings(join(ws.dir, 'secrets', 'key.pem'))) if ((await read(uri.trim())).includes(SECRET)) leaked.push(`${why}: ${uri}`);
    expect(leaked).toEqual([]);
  });
});

describe('a file: URI in a tool argument naming mcp-guard\'s own files', () => {
  it('is refused as protected, however it is spelled', async () => {
    const own = workspace({ version: '1', default: 'allow' });
    const session = await connect(own, { server: ['node', SERVER], env: { FILE_READER: 'python' } });
    try {
      const leaked: string[] = [];
      for (const [why, uri] of spellings(own.policyFile)) {
        const answer = JSON.stringify(await session.client.callTool({ name: 'read', arguments: { path: uri } }));
        if (answer.includes('default')) leaked.push(`${why}: ${uri}`);
        else expect(answer, uri).toContain('self-protection');
      }
      expect(leaked).toEqual([]);
    } finally {
      await session.client.close();
    }
  });
});
