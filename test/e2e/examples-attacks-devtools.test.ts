import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, copyExample, freshDir, guardServer, type GuardedServer, receivedCalls } from './support/attacks.js';
import { ECHO_SERVER } from './support/guard.js';

/**
 * examples/devtools.policy.json and the seed (python-venv.policy.json) in front of the echo
 * fixture, standing in for MCP DevTools Server's `python_venv` (it is not on npm): the fixture
 * offers a `python_venv` tool and acts on nothing, so "held" means the server never received the
 * call. The person behind the guard says no to every question.
 */

/** Bypass attempts against devtools.policy.json's python_venv; `{home}` is the session's HOME, `{base}` a directory under /tmp. */
const DEVTOOLS_ATTACKS: Attack[] = [
  ['a venv outside ~/projects and /tmp', 'python_venv', { action: 'create', venvPath: '/etc/venv' }],
  ['/tmp and ..', 'python_venv', { action: 'create', venvPath: '/tmp/../etc/venv' }],
  ['~ and ..', 'python_venv', { action: 'create', venvPath: '~/projects/../../etc/venv' }],
  ['a symlink under ~/projects pointing at /etc', 'python_venv', { action: 'create', venvPath: '{home}/projects/escape/venv' }],
  ['a symlink under /tmp pointing at /etc', 'python_venv', { action: 'create', venvPath: '{base}/escape/venv' }],
  ['another user\'s home', 'python_venv', { action: 'create', venvPath: '~root/venv' }],
  ['a relative .. out of the working directory', 'python_venv', { action: 'create', venvPath: '../../../../etc/venv' }],
  ['.. hidden inside a relative path', 'python_venv', { action: 'create', venvPath: 'app/../../../../../etc' }],
  ['a relative venvPath that the server resolves inside directory, through a symlink there', 'python_venv', { action: 'create', directory: '{base}', venvPath: 'escape/venv' }],
  ['directory at /', 'python_venv', { action: 'create', directory: '/', venvPath: '/tmp/v' }],
  ['directory through a symlink', 'python_venv', { action: 'create', directory: '{home}/projects/escape' }],
  ['VenvPath instead of venvPath', 'python_venv', { action: 'create', VenvPath: '/etc/venv' }],
  ['venvpath in lower case', 'python_venv', { action: 'create', venvpath: '/etc/venv' }],
  ['venv_path, which the schema does not name', 'python_venv', { action: 'create', venv_path: '/etc/venv' }],
  ['path, which the schema does not name', 'python_venv', { action: 'info', path: '/etc' }],
  ['Directory instead of directory', 'python_venv', { action: 'create', Directory: '/' }],
  ['venvPath and VenvPath together', 'python_venv', { action: 'create', venvPath: '/tmp/ok', VenvPath: '/etc/venv' }, 'rpc:-32600'],
  ['a python executable from anywhere', 'python_venv', { action: 'create', venvPath: '/tmp/v', python: '/tmp/evil/python' }],
  ['a shell command as the python version', 'python_venv', { action: 'create', venvPath: '/tmp/v', python: '3; rm -rf ~' }],
  ['extra command-line arguments', 'python_venv', { action: 'create', venvPath: '/tmp/v', args: ['--system-site-packages'] }],
  ['clear as a string, which Python takes for yes', 'python_venv', { action: 'create', venvPath: '/tmp/v', clear: 'true' }],
  ['clear as a number', 'python_venv', { action: 'create', venvPath: '/tmp/v', clear: 1 }],
  ['Clear instead of clear', 'python_venv', { action: 'create', venvPath: '/tmp/v', Clear: true }],
  ['delete in another letter case', 'python_venv', { action: 'Delete', venvPath: '/tmp/v' }],
  ['Action instead of action', 'python_venv', { Action: 'delete', venvPath: '/tmp/v' }],
  ['delete, and the person says no', 'python_venv', { action: 'delete', venvPath: '/tmp/v' }, 'approval_declined'],
  ['clear, and the person says no', 'python_venv', { action: 'create', venvPath: '/tmp/v', clear: true }, 'approval_declined'],
  ['the tool name in another letter case', 'Python_Venv', { action: 'delete', venvPath: '/tmp/v' }, 'denied'],
  ['another tool of the server', 'delete_file', { path: '/tmp/v' }, 'denied'],
];

/** The seed has no argument rules: what it promises is the tool name, and every other tool refused. */
const SEED_ATTACKS: Attack[] = [
  ['the tool name in another letter case', 'Python_Venv', { action: 'list' }],
  ['the tool name in full-width letters', '\uff50\uff59\uff54\uff48\uff4f\uff4e_venv', { action: 'list' }],
  ['the tool name with a trailing space', 'python_venv ', { action: 'list' }],
  ['a dash for the underscore', 'python-venv', { action: 'list' }],
  ['a shell', 'shell_exec', { cmd: 'id' }],
  ['a delete', 'delete_file', { path: '/tmp/v' }],
  ['a read', 'read_file', { path: '/etc/passwd' }],
];

let base: string;
let home: string;
const sessions: GuardedServer[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

beforeAll(() => {
  // Under /tmp, one of the example's roots; HOME is a directory of its own, so ~/projects is too.
  base = freshDir('mcp-guard-venv-attack-');
  home = join(base, 'home');
  mkdirSync(join(home, 'projects'), { recursive: true });
  symlinkSync('/etc', join(home, 'projects/escape'));
  symlinkSync('/etc', join(base, 'escape'));
});

async function guarded(example: string): Promise<GuardedServer> {
  const g = await guardServer({ policyFile: copyExample(example), server: ['node', ECHO_SERVER], answer: 'decline', cwd: join(home, 'projects'), env: { HOME: home } });
  sessions.push(g);
  return g;
}

describe('devtools.policy.json against python_venv', () => {
  it('refuses every way out of ~/projects and /tmp, every variant argument, and every unasked delete or clear', async () => {
    const g = await guarded('devtools.policy.json');
    const outcomes = await attack(g, DEVTOOLS_ATTACKS, { home, base });
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments' })).toEqual([]);
    expect(g.asked).toHaveLength(2);
    expect(receivedCalls(g)).toEqual([]);
  });

  it('still passes what it allows, and the server receives exactly that', async () => {
    const g = await guarded('devtools.policy.json');
    const allowed = [
      { action: 'create', venvPath: '~/projects/app/.venv', python: '3.12' },
      { action: 'info', venvPath: join(base, 'app/.venv') },
      { action: 'create', directory: join(home, 'projects/app'), venvPath: join(home, 'projects/app/.venv') },
      { action: 'list' },
    ];
    for (const args of allowed) expect((await g.client.callTool({ name: 'python_venv', arguments: args }))._meta).toBeUndefined();
    expect(receivedCalls(g)).toEqual(allowed.map((args) => ({ name: 'python_venv', arguments: args })));
  });
});

describe('python-venv.policy.json (the seed) against python_venv', () => {
  it('offers python_venv alone, refuses every other name, and the eleventh call in a minute', async () => {
    const g = await guarded('python-venv.policy.json');
    expect((await g.client.listTools()).tools.map((t) => t.name)).toEqual(['python_venv']);
    const outcomes = await attack(g, SEED_ATTACKS, {});
    expect(breaches(g, outcomes, { refusedAs: 'denied' })).toEqual([]);
    const calls = [];
    for (let i = 0; i < 11; i++) calls.push(await g.client.callTool({ name: 'python_venv', arguments: { action: 'list' } }));
    expect(calls.slice(0, 10).every((c) => c._meta === undefined)).toBe(true);
    expect(calls[10]!._meta?.['mcp-guard']).toMatchObject({ decision: 'rate_limited', rule: 'tools.python_venv.limits[0]' });
    expect(receivedCalls(g)).toHaveLength(10);
  });
});
