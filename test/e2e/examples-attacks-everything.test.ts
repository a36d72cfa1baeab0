import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, copyExample, GET_PROMPT, guardServer, type GuardedServer, READ_RESOURCE, receivedCalls } from './support/attacks.js';
import { EVERYTHING } from './support/guard.js';

/**
 * examples/everything.policy.json and examples/demo.policy.json in front of
 * @modelcontextprotocol/server-everything. The server's environment holds a secret (get-env would
 * show it), and `gzip-file-as-resource` is pointed at a local web server that counts requests:
 * held means refused by mcp-guard, never received by the server, the secret never answered, and
 * no download. The person behind the guard says no to every question.
 */

const SECRET = 'SECRET-ENV-VALUE-4e1f';
const DYNAMIC = ['plaintext resource created', '"blob":"'];

const NAME_VARIANTS = (name: string): Attack[] => [
  ['as written', name, {}],
  ['in another letter case', name.replace(/^./, (c) => c.toUpperCase()), {}],
  ['in upper case', name.toUpperCase(), {}],
  ['with a trailing space', `${name} `, {}],
  ['with a zero-width space', `${name}\u200b`, {}],
  ['with underscores', name.replaceAll('-', '_'), {}],
  ['with a Unicode hyphen', name.replaceAll('-', '\u2010'), {}],
  ['in full-width letters', [...name].map((c) => (c >= 'a' && c <= 'z' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''), {}],
];

const EVERYTHING_ATTACKS: Attack[] = [
  ...NAME_VARIANTS('get-env').map(([why, tool, args]): Attack => [`get-env ${why}`, tool, args, 'denied']),
  ['an hour-long operation', 'trigger-long-running-operation', { duration: 3600 }],
  ['Duration instead of duration', 'trigger-long-running-operation', { Duration: 3600 }],
  ['a duration as a string', 'trigger-long-running-operation', { duration: '3600' }],
  ['a negative duration', 'trigger-long-running-operation', { duration: -1 }],
  ['a billion steps', 'trigger-long-running-operation', { duration: 1, steps: 1e9 }],
  ['a download, and the person says no', 'gzip-file-as-resource', { data: '{web}/plain' }, 'approval_declined'],
  ['the default download (no data)', 'gzip-file-as-resource', {}, 'approval_declined'],
  ['a download in upper case', 'gzip-file-as-resource', { data: '{WEB}/upper' }, 'approval_declined'],
  ['a download after a space', 'gzip-file-as-resource', { data: ' {web}/space' }, 'approval_declined'],
  ['a data: URI and a Data URL (case-insensitive decoders read the last)', 'gzip-file-as-resource', { data: 'data:,x', Data: '{web}/dup' }, 'rpc:-32600'],
  ['Data instead of data', 'gzip-file-as-resource', { Data: '{web}/variant' }, 'invalid_arguments'],
  ['a tool the policy does not name', 'trigger-url-elicitation', {}, 'denied'],
  ['a file: resource', READ_RESOURCE, { uri: 'file:///etc/passwd' }, 'denied'],
  ['a file: resource in upper case', READ_RESOURCE, { uri: 'FILE:///etc/passwd' }, 'denied'],
  ['a file: resource, percent-encoded', READ_RESOURCE, { uri: 'file:///etc/%70asswd' }, 'denied'],
  ['a file: resource with a host', READ_RESOURCE, { uri: 'file://localhost/etc/passwd' }, 'denied'],
];

const DEMO_ATTACKS: Attack[] = [
  ...NAME_VARIANTS('get-env').map(([why, tool, args]): Attack => [`get-env ${why}`, tool, args]),
  ...NAME_VARIANTS('toggle-simulated-logging').map(([why, tool, args]): Attack => [`toggle-simulated-logging ${why}`, tool, args]),
  ...NAME_VARIANTS('gzip-file-as-resource').map(([why, tool, args]): Attack => [`gzip-file-as-resource ${why}`, tool, { ...args, data: '{web}/demo' }]),
  ['subscriber updates, and the person says no', 'toggle-subscriber-updates', {}, 'approval_declined'],
  ['an echo over 200 characters', 'echo', { message: 'x'.repeat(201) }, 'invalid_arguments'],
  ['Message instead of message', 'echo', { Message: 'x'.repeat(5000) }, 'invalid_arguments'],
  ['get-sum with words', 'get-sum', { a: 'two', b: 3 }, 'invalid_arguments'],
  ['a dynamic resource', READ_RESOURCE, { uri: 'demo://resource/dynamic/text/1' }],
  ['.. out of the static ones', READ_RESOURCE, { uri: 'demo://resource/static/../dynamic/text/1' }],
  ['percent-encoded ..', READ_RESOURCE, { uri: 'demo://resource/static/%2e%2e/dynamic/text/1' }],
  ['percent-encoded .. in upper case', READ_RESOURCE, { uri: 'demo://resource/static/%2E%2E/dynamic/blob/1' }],
  ['half-encoded ..', READ_RESOURCE, { uri: 'demo://resource/static/.%2e/dynamic/text/1' }],
  ['./ and ..', READ_RESOURCE, { uri: 'demo://resource/static/./../dynamic/blob/1' }],
  ['scheme and host in upper case', READ_RESOURCE, { uri: 'DEMO://RESOURCE/dynamic/text/1' }],
  ['host in mixed case', READ_RESOURCE, { uri: 'demo://Resource/dynamic/text/1' }],
  ['a percent-encoded letter', READ_RESOURCE, { uri: 'demo://resource/%64ynamic/text/1' }],
  ['a percent-encoded digit', READ_RESOURCE, { uri: 'demo://resource/dynamic/text/%31' }],
  ['a query after ..', READ_RESOURCE, { uri: 'demo://resource/static/document/../../dynamic/text/1?x=1' }],
  ['a fragment', READ_RESOURCE, { uri: 'demo://resource/dynamic/text/1#f' }],
  ['a doubled separator', READ_RESOURCE, { uri: 'demo://resource//dynamic/text/1' }],
  ['a prompt the policy does not name', GET_PROMPT, { name: 'resource-prompt', arguments: { resourceType: 'Text', resourceId: '1' } }],
  ['an allowed prompt in another letter case', GET_PROMPT, { name: 'Simple-Prompt' }],
];

let web: Server;
let hits: string[];
let values: Record<string, string>;
const sessions: GuardedServer[] = [];

beforeAll(async () => {
  hits = [];
  web = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.end('downloaded');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  values = { web: url, WEB: url.toUpperCase() };
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});
afterAll(() => new Promise<void>((resolve) => web.close(() => resolve())));

async function guarded(example: string, answer: 'accept' | 'decline' = 'decline'): Promise<GuardedServer> {
  const g = await guardServer({ policyFile: copyExample(example), server: ['node', EVERYTHING], answer, env: { MCP_GUARD_ATTACK_SECRET: SECRET } });
  sessions.push(g);
  return g;
}

describe('everything.policy.json against server-everything', () => {
  it('keeps the environment private, long operations short, and downloads behind a yes', async () => {
    const g = await guarded('everything.policy.json');
    expect((await g.client.listTools()).tools.map((t) => t.name)).not.toContain('get-env');
    const outcomes = await attack(g, EVERYTHING_ATTACKS, values);
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments', secrets: [SECRET] })).toEqual([]);
    expect(hits).toEqual([]);
    expect(receivedCalls(g)).toEqual([]);
  });

  it('still compresses a data: URI without asking, downloads after a yes, and the server receives exactly that', async () => {
    const g = await guarded('everything.policy.json', 'accept');
    const gzip = await g.client.callTool({ name: 'gzip-file-as-resource', arguments: { data: 'data:text/plain;base64,aGk=', name: 'hi.gz' } });
    expect(gzip._meta).toBeUndefined();
    expect(g.asked).toEqual([]);
    expect(hits).toEqual([]);
    const download = await g.client.callTool({ name: 'gzip-file-as-resource', arguments: { data: `${values.web}/after-yes`, name: 'web.gz' } });
    expect(download.isError).toBeFalsy();
    expect(g.asked).toHaveLength(1);
    expect(hits).toEqual(['/after-yes']);
    expect(receivedCalls(g).map((c) => c.name)).toEqual(['gzip-file-as-resource', 'gzip-file-as-resource']);
    hits.length = 0;
  });
});

describe('demo.policy.json against server-everything', () => {
  it('refuses the dynamic resources however the URI is spelled, and every name variant of what it denies', async () => {
    const g = await guarded('demo.policy.json');
    const outcomes = await attack(g, DEMO_ATTACKS, values);
    expect(breaches(g, outcomes, { refusedAs: 'denied', secrets: [SECRET, ...DYNAMIC] })).toEqual([]);
    expect(hits).toEqual([]);
    expect(receivedCalls(g)).toEqual([]);
    // A static URI with an encoded slash is allowed (it is under static/), and the server finds nothing there.
    await expect(g.client.readResource({ uri: 'demo://resource/static/..%2Fdynamic/text/1' })).rejects.toThrow();
    const page = await g.client.readResource({ uri: 'demo://resource/static/document/features.md' });
    expect(page.contents.length).toBe(1);
  });
});
