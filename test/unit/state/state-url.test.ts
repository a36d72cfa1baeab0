import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { resolveState } from '../../../src/state/open-store.js';
import { parseStateUrl } from '../../../src/state/state-url.js';

describe('state URLs (SPEC §13)', () => {
  it('reads Redis URLs: user, password, host, port, db index, TLS; the description has no password', () => {
    expect(parseStateUrl('rediss://guard:p%40ss@redis.example.com:6380/3', '--state')).toEqual({
      kind: 'redis',
      host: 'redis.example.com',
      port: 6380,
      db: 3,
      username: 'guard',
      password: 'p@ss',
      tls: true,
      description: 'rediss://guard@redis.example.com:6380/3',
    });
    expect(parseStateUrl('redis://:secret@10.0.0.5', 'x')).toMatchObject({ port: 6379, db: 0, username: undefined, password: 'secret', tls: false, description: 'redis://10.0.0.5:6379/0' });
    expect(parseStateUrl('REDIS://[::1]:7000/', 'x')).toMatchObject({ host: '::1', port: 7000, description: 'redis://[::1]:7000/0' });
  });

  it('reads sqlite: URLs, expanding ~ and resolving relative dirs', () => {
    expect(parseStateUrl('sqlite:/var/lib/guard', 'x')).toEqual({ kind: 'sqlite', dir: '/var/lib/guard', description: 'sqlite:/var/lib/guard' });
    expect(parseStateUrl('sqlite:///var/lib/guard/', 'x')).toMatchObject({ dir: '/var/lib/guard' });
    expect(parseStateUrl('sqlite:~/state', 'x')).toMatchObject({ dir: `${homedir()}/state` });
    expect(parseStateUrl('sqlite:state', 'x', '/etc/guard')).toMatchObject({ dir: '/etc/guard/state' });
  });

  it.each([
    ['mysql://host/db', /is not a state URL/],
    ['sqlite:', /names no directory/],
    ['redis://', /names no host|not a valid URL/],
    ['redis://host/0?tls=true', /takes no query/],
    ['redis://host/zero', /database index/],
    ['redis://u:secret@host/x', /database index/],
  ])('refuses %s with exit 2', (url, message) => {
    let caught: { code?: string; exitCode?: number; message: string } | undefined;
    try {
      parseStateUrl(url, '--state');
    } catch (error) {
      caught = error as typeof caught;
    }
    expect(caught).toMatchObject({ code: 'STATE_URL_INVALID', exitCode: 2 });
    expect(caught!.message).toMatch(message);
    expect(caught!.message).not.toContain('secret');
  });

  it('resolves in order: --state, MCP_GUARD_STATE, the policy, --state-dir, MCP_GUARD_STATE_DIR, the platform dir', () => {
    const policy = { state: 'redis://policy/0', file: '/p/policy.json' };
    const env = { MCP_GUARD_STATE: 'redis://env/0', MCP_GUARD_STATE_DIR: '/env-dir', HOME: '/home/me' };
    expect(resolveState({ state: 'redis://flag/0', policy, env }).location.description).toBe('redis://flag:6379/0');
    expect(resolveState({ policy, stateDir: '/d', env }).location.description).toBe('redis://env:6379/0');
    expect(resolveState({ policy, stateDir: '/d', env: { MCP_GUARD_STATE_DIR: '/e' } }).location.description).toBe('redis://policy:6379/0');
    expect(resolveState({ stateDir: '~/d', env: { MCP_GUARD_STATE_DIR: '/e' } }).location.description).toBe(`sqlite:${homedir()}/d`);
    expect(resolveState({ env: { MCP_GUARD_STATE_DIR: '/e' } })).toEqual({ location: { kind: 'sqlite', dir: '/e', description: 'sqlite:/e' }, from: 'MCP_GUARD_STATE_DIR' });
    expect(resolveState({ env: { XDG_STATE_HOME: '/xdg' }, platform: 'linux' }).location.description).toBe('sqlite:/xdg/mcp-guard');
    expect(resolveState({ policy: { state: undefined, file: '/p/x.json' }, env: {}, platform: 'linux' }).from).toBe('the platform state dir');
  });
});
