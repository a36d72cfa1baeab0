import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, copyExample, freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS } from './support/attacks.js';

/**
 * examples/github.policy.json in front of @modelcontextprotocol/server-github (without a token:
 * nothing here may reach GitHub anyway). Its promises: nothing is pushed or committed to main or
 * master, a workflow change, a merge, a new repository and a fork each need a person's yes (here
 * always "no"). The server builds API URLs from owner, repo, branch and path without escaping
 * them, so `feature/../main` or `r/git/refs/heads/main#` would reach main. Held means refused by
 * mcp-guard and never received by the server.
 */

const SERVER = join(SERVERS, 'server-github/dist/index.js');
const push = (args: Record<string, unknown>) => ({ owner: 'me', repo: 'app', branch: 'fix', files: [{ path: 'README.md', content: 'x' }], message: 'm', ...args });
const commit = (args: Record<string, unknown>) => ({ owner: 'me', repo: 'app', branch: 'fix', path: 'README.md', content: 'x', message: 'm', ...args });

const ATTACKS: Attack[] = [
  ['main', 'push_files', push({ branch: 'main' }), 'denied'],
  ['master', 'push_files', push({ branch: 'master' }), 'denied'],
  ['main in another letter case', 'push_files', push({ branch: 'Main' }), 'denied'],
  ['master in upper case', 'push_files', push({ branch: 'MASTER' }), 'denied'],
  ['main as a full ref name', 'push_files', push({ branch: 'refs/heads/main' }), 'denied'],
  ['main as heads/main', 'push_files', push({ branch: 'heads/main' }), 'denied'],
  ['main through .. (the ref URL resolves it)', 'push_files', push({ branch: 'feature/../main' })],
  ['main through a percent-encoded ..', 'push_files', push({ branch: 'feature/%2e%2e/main' })],
  ['main through ./', 'push_files', push({ branch: './main' })],
  ['main with a trailing separator', 'push_files', push({ branch: 'main/' })],
  ['main with a fragment', 'push_files', push({ branch: 'main#' })],
  ['main with a query', 'push_files', push({ branch: 'main?x=1' })],
  ['Branch instead of branch', 'push_files', { owner: 'me', repo: 'app', Branch: 'main', files: [], message: 'm' }],
  ['branch and Branch together', 'push_files', push({ Branch: 'main' }), 'rpc:-32600'],
  ['a repo name that carries the ref URL', 'push_files', push({ repo: 'app/git/refs/heads/main#' })],
  ['an owner that carries a path', 'push_files', push({ owner: 'me/app/git/refs/heads/main#' })],
  ['a repo of ..', 'push_files', push({ repo: '..' })],
  ['an extra member', 'push_files', push({ force: true })],
  ['a commit to master', 'create_or_update_file', commit({ branch: 'master' }), 'denied'],
  ['a commit to main through ..', 'create_or_update_file', commit({ branch: 'x/../main' })],
  ['a commit with a path that climbs out of contents/', 'create_or_update_file', commit({ path: '../git/refs/heads/main' })],
  ['a commit with a percent-encoded path', 'create_or_update_file', commit({ path: '%2egithub/workflows/ci.yml' })],
  ['a commit with a query in the path', 'create_or_update_file', commit({ path: 'README.md?ref=main' })],
  ['a workflow, and the person says no', 'create_or_update_file', commit({ path: '.github/workflows/ci.yml' }), 'approval_declined'],
  ['a workflow in another letter case', 'create_or_update_file', commit({ path: '.GitHub/Workflows/ci.yml' }), 'approval_declined'],
  ['a workflow with a doubled separator', 'create_or_update_file', commit({ path: '.github//workflows/ci.yml' }), 'approval_declined'],
  ['a workflow through ..', 'create_or_update_file', commit({ path: 'docs/../.github/workflows/ci.yml' })],
  ['a workflow among other files', 'push_files', push({ files: [{ path: 'README.md', content: 'x' }, { path: '.github/workflows/ci.yml', content: 'on: push' }] }), 'approval_declined'],
  ['a workflow under a leading separator', 'push_files', push({ files: [{ path: '/.github/workflows/ci.yml', content: 'on: push' }] }), 'approval_declined'],
  ['a merge, and the person says no', 'merge_pull_request', { owner: 'me', repo: 'app', pull_number: 1 }, 'approval_declined'],
  ['the merge tool in another letter case', 'Merge_Pull_Request', { owner: 'me', repo: 'app', pull_number: 1 }, 'denied'],
  ['a new repository', 'create_repository', { name: 'x' }, 'approval_declined'],
  ['a fork', 'fork_repository', { owner: 'o', repo: 'r' }, 'approval_declined'],
  ['a tool the policy does not name', 'delete_repository', { owner: 'me', repo: 'app' }, 'denied'],
];

let g: GuardedServer;
beforeAll(async () => {
  // A working directory whose parent holds none of mcp-guard's files: a repo named ".." resolves
  // there, and self-protection would refuse it (rightly) before the schema could, were the
  // checkout itself in the temporary directory that holds the copied policy.
  const cwd = join(freshDir('mcp-guard-github-'), 'work', 'here');
  mkdirSync(cwd, { recursive: true });
  g = await guardServer({ policyFile: copyExample('github.policy.json'), server: ['node', SERVER], answer: 'decline', cwd, env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'not-a-token' } });
});
afterAll(async () => g?.close());

describe('github.policy.json against server-github', () => {
  it('nothing reaches main or master, and no workflow, merge, repository or fork without a yes', async () => {
    expect((await g.client.listTools()).tools.map((t) => t.name)).toContain('push_files');
    const outcomes = await attack(g, ATTACKS, {});
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments' })).toEqual([]);
    expect(g.asked).toHaveLength(8);
    // The recording is live: the server did receive the list request.
    expect(g.received().some((m) => m.method === 'tools/list')).toBe(true);
    expect(receivedCalls(g)).toEqual([]);
  });
});
