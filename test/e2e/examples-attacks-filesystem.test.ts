import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, type Refusal, copyExample, freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS, snapshot } from './support/attacks.js';

/**
 * examples/filesystem.policy.json in front of @modelcontextprotocol/server-filesystem, attacked
 * the way an agent would: every spelling of a secret's path the server opens all the same, sent
 * to every tool that takes a path, and every way out of the root. A person who says yes to every
 * question stands behind the guard (the worst case for `ask`). The policy holds when each attempt
 * is refused by mcp-guard, none reaches the server, no secret comes back, and no file changes.
 */

const SERVER = join(SERVERS, 'server-filesystem/dist/index.js');
const SECRET = { pem: 'SECRET-PEM-7f3a', env: 'SECRET-ENV-19c2', ssh: 'SECRET-SSH-a41b', key: 'SECRET-KEY-5d0e', outside: 'SECRET-OUTSIDE-c7d8' };

/** Spellings of secrets inside the root that server-filesystem opens (path.resolve, realpath, NFC lookup). */
const SECRET_PATHS: Array<[why: string, path: string]> = [
  ['as written', '{root}/server.pem'],
  ['trailing separator', '{root}/server.pem/'],
  ['trailing /.', '{root}/server.pem/.'],
  ['trailing //', '{root}/server.pem//'],
  ['a .. after it', '{root}/server.pem/x/..'],
  ['a .. before it', '{root}/sub/../server.pem'],
  ['a ./ segment', '{root}/./server.pem'],
  ['a doubled separator', '{root}//server.pem'],
  ['letter case (a case-insensitive disk opens it)', '{root}/Server.PEM'],
  ['relative, with a trailing separator', 'server.pem/'],
  ['relative ./ and /.', './server.pem/.'],
  ['~ form', '~/projects/server.pem/'],
  ['KELVIN SIGN for K (the server matches names after NFC)', '{root}/backup.\u212AEY'],
  ['Windows trailing dot', '{root}/server.pem.'],
  ['NTFS stream', '{root}/server.pem::$DATA'],
  ['.env as written', '{root}/.env'],
  ['.env with a trailing separator', '{root}/.env/'],
  ['.env in upper case', '{root}/.ENV'],
  ['.env relative, trailing /.', '.env/.'],
  ['.env in mixed case through ~', '~/projects/.Env/'],
  ['an SSH key', '{root}/.ssh/id_ed25519'],
  ['an SSH key through a symlinked directory', '{root}/keys/id_ed25519'],
  ['an SSH key with a trailing separator', '{root}/.ssh//id_ed25519/'],
  ['an SSH key through ..', '{root}/keys/../.ssh/id_ed25519'],
  ['.ssh in upper case', '{root}/.SSH/id_ed25519'],
  ['.ssh with a LONG S', '{root}/.\u017Fsh/id_ed25519'],
  ['authorized_keys through a symlinked directory', '{root}/keys/authorized_keys'],
];

/** Ways out of the root (~/projects), each of which the guard must refuse before the server sees it. */
const OUTSIDE_PATHS: Array<[why: string, path: string]> = [
  ['.. out of the root', '{root}/../../outside/secret.txt'],
  ['a symlinked directory pointing outside', '{root}/link-out/secret.txt'],
  ['a symlink to a file outside', '{root}/link-secret-out'],
  ['~ and ..', '~/../outside/secret.txt'],
  ['an absolute path outside', '{base}/outside/secret.txt'],
  ['a sibling that shares the root as a prefix', '{home}/projects-evil/secret.txt'],
  ['relative .. out of the root', '../../outside/secret.txt'],
  ['/etc', '/etc/passwd'],
];

/** Every tool of the server, called on `path` the way it takes a path. */
const TOOLS_ON: Array<[tool: string, args: (path: string) => Record<string, unknown>]> = [
  ['read_text_file', (path) => ({ path })],
  ['read_file', (path) => ({ path, head: 5 })],
  ['read_media_file', (path) => ({ path })],
  ['read_multiple_files', (path) => ({ paths: ['{root}/notes.md', path] })],
  ['get_file_info', (path) => ({ path })],
  ['list_directory', (path) => ({ path })],
  ['list_directory_with_sizes', (path) => ({ path })],
  ['directory_tree', (path) => ({ path })],
  ['search_files', (path) => ({ path, pattern: '**' })],
  ['edit_file', (path) => ({ path, edits: [{ oldText: 'SECRET', newText: 'x' }], dryRun: true })],
  ['edit_file', (path) => ({ path, edits: [{ oldText: 'SECRET', newText: 'OWNED' }] })],
  ['write_file', (path) => ({ path, content: 'OWNED' })],
  ['create_directory', (path) => ({ path })],
  ['move_file', (path) => ({ source: path, destination: '{root}/stolen.txt' })],
  ['move_file', (path) => ({ source: '{root}/notes.md', destination: path })],
];

const everyTool = (paths: Array<[string, string]>, refusedAs: Refusal): Attack[] => paths.flatMap(([why, path]) => TOOLS_ON.map(([tool, args]): Attack => [why, tool, args(path), refusedAs]));

/** Arguments the schema does not name, or names in another letter case. */
const ARGUMENT_ATTACKS: Attack[] = [
  ['Path instead of path', 'read_text_file', { Path: '{root}/server.pem' }, 'invalid_arguments'],
  ['PATHS instead of paths', 'read_multiple_files', { PATHS: ['{root}/server.pem'] }, 'invalid_arguments'],
  ['path and Path (a case-insensitive decoder reads the last)', 'read_text_file', { path: '{root}/notes.md', Path: '{root}/server.pem' }, 'rpc:-32600'],
  ['an extra member a server might read instead', 'read_text_file', { path: '{root}/notes.md', file: '{root}/server.pem' }, 'invalid_arguments'],
  ['an extra member pointing outside', 'write_file', { path: '{root}/notes.md', content: 'x', filePath: '{base}/outside/secret.txt' }, 'invalid_arguments'],
  ['Source instead of source', 'move_file', { Source: '{root}/server.pem', destination: '{root}/stolen.txt' }, 'invalid_arguments'],
  ['a path that is not a string', 'read_text_file', { path: ['{root}/server.pem'] }, 'invalid_arguments'],
];

let base: string;
let home: string;
let root: string;
let values: Record<string, string>;

beforeAll(() => {
  base = freshDir('mcp-guard-fs-attack-');
  home = join(base, 'home');
  root = join(home, 'projects');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(root, '.ssh'));
  mkdirSync(join(base, 'outside'));
  mkdirSync(join(home, 'projects-evil'));
  writeFileSync(join(root, 'notes.md'), 'remember the milk');
  writeFileSync(join(root, 'server.pem'), SECRET.pem);
  writeFileSync(join(root, '.env'), SECRET.env);
  writeFileSync(join(root, 'backup.KEY'), SECRET.key);
  writeFileSync(join(root, '.ssh/id_ed25519'), SECRET.ssh);
  writeFileSync(join(base, 'outside/secret.txt'), SECRET.outside);
  writeFileSync(join(home, 'projects-evil/secret.txt'), SECRET.outside);
  symlinkSync('.ssh', join(root, 'keys'));
  symlinkSync(join(base, 'outside'), join(root, 'link-out'));
  symlinkSync(join(base, 'outside/secret.txt'), join(root, 'link-secret-out'));
  values = { root, home, base };
});

/** The example as shipped, with the server's root at ~/projects (the command its $comment gives). */
async function guarded(): Promise<GuardedServer> {
  return guardServer({ policyFile: copyExample('filesystem.policy.json'), server: ['node', SERVER, root], answer: 'accept', cwd: root, env: { HOME: home } });
}

describe('filesystem.policy.json against server-filesystem', () => {
  let g: GuardedServer;
  afterAll(async () => g?.close());

  it('refuses every spelling of a secret, every way out of the root and every variant argument, through every tool', async () => {
    g = await guarded();
    const before = snapshot(base);
    const attacks = [...everyTool(SECRET_PATHS, 'denied'), ...everyTool(OUTSIDE_PATHS, 'invalid_arguments'), ...ARGUMENT_ATTACKS];
    const outcomes = await attack(g, attacks, values);
    expect(breaches(g, outcomes, { refusedAs: 'denied', secrets: Object.values(SECRET) })).toEqual([]);
    // Nothing was read, written, created, moved or deleted, although the person said yes to everything.
    expect(snapshot(base)).toEqual(before);
    expect(g.asked).toEqual([]);
    expect(receivedCalls(g)).toEqual([]);
  }, 120_000);

  it('still lets the agent work: reads pass, a write happens after a yes, and the server receives exactly those calls', async () => {
    const read = await g.client.callTool({ name: 'read_text_file', arguments: { path: join(root, 'notes.md') } });
    expect(JSON.stringify(read.content)).toContain('remember the milk');
    const relative = await g.client.callTool({ name: 'read_text_file', arguments: { path: 'notes.md' } });
    expect(JSON.stringify(relative.content)).toContain('remember the milk');
    const write = await g.client.callTool({ name: 'write_file', arguments: { path: join(root, 'sub/todo.md'), content: 'by the agent' } });
    expect(write.isError).toBeFalsy();
    expect(readFileSync(join(root, 'sub/todo.md'), 'utf8')).toBe('by the agent');
    expect(g.asked).toHaveLength(1);
    const preview = await g.client.callTool({ name: 'edit_file', arguments: { path: join(root, 'notes.md'), edits: [{ oldText: 'milk', newText: 'eggs' }], dryRun: true } });
    expect(JSON.stringify(preview.content)).toContain('eggs');
    expect(g.asked).toHaveLength(1);
    expect(receivedCalls(g).map((c) => c.name)).toEqual(['read_text_file', 'read_text_file', 'write_file', 'edit_file']);
  });
});
