import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardError } from '../../../src/errors.js';
import { checkStateDir, openStateDatabase } from '../../../src/state/database.js';
import { checkStatePath, type OwnershipEnv } from '../../../src/state/permissions.js';

/** A file system of stats by path, for the checks that need another user. */
function fakeEnv(uid: number, stats: Record<string, { uid: number; mode: number }>): OwnershipEnv {
  return { uid, stat: (path) => stats[path] };
}

function thrown(fn: () => void): GuardError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GuardError);
    return error as GuardError;
  }
  throw new Error('expected a refusal');
}

describe('state dir hardening (SPEC §9)', () => {
  it('refuses a dir or database another user owns, naming it and the fix', () => {
    const dir = thrown(() => checkStatePath('/srv/state', 'dir', fakeEnv(1000, { '/srv/state': { uid: 0, mode: 0o40700 } })));
    expect(dir).toMatchObject({ code: 'STATE_INSECURE', exitCode: 2 });
    expect(dir.message).toMatch(/^the state dir \/srv\/state belongs to another user \(uid 0, you are uid 1000\).*choose another --state-dir/);
    const env = fakeEnv(1000, { '/s': { uid: 1000, mode: 0o40700 }, '/s/state.db-wal': { uid: 1001, mode: 0o100600 } });
    expect(thrown(() => checkStateDir('/s', env)).message).toMatch(/^the state database \/s\/state.db-wal belongs to another user/);
    // Root is another user too, as for ssh's StrictModes on a user's files.
    expect(thrown(() => checkStatePath('/x', 'dir', fakeEnv(0, { '/x': { uid: 65534, mode: 0o40700 } }))).code).toBe('STATE_INSECURE');
  });

  it.each([
    [0o40777, 'its group and every user', '0777'],
    [0o40770, 'its group', '0770'],
    [0o41703, 'every user', '1703'],
  ])('refuses a dir of mode %o, writable by %s', (mode, who, shown) => {
    const e = thrown(() => checkStatePath('/my state', 'dir', fakeEnv(5, { '/my state': { uid: 5, mode } })));
    expect(e.message).toContain(`is writable by ${who} (mode ${shown})`);
    expect(e.message).toContain("run: chmod 700 '/my state'");
  });

  it('accepts what is safe, what does not exist yet, and everything where there are no user ids', () => {
    const env = fakeEnv(5, { '/a': { uid: 5, mode: 0o40755 }, '/a/state.db': { uid: 5, mode: 0o100644 } });
    expect(() => checkStateDir('/a', env)).not.toThrow();
    expect(() => checkStateDir('/missing', env)).not.toThrow();
    expect(() => checkStatePath('/x', 'dir', { uid: undefined, stat: () => ({ uid: 1, mode: 0o40777 }) })).not.toThrow();
  });

  it.runIf(process.platform !== 'win32')('creates the dir 0700 and the database 0600, and refuses them once others may write them', () => {
    const root = mkdtempSync(join(tmpdir(), 'mcp-guard-perm-'));
    const dir = join(root, 'new', 'state');
    openStateDatabase(dir).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state.db')).mode & 0o777).toBe(0o600);
    chmodSync(join(dir, 'state.db'), 0o666);
    expect(thrown(() => openStateDatabase(dir)).message).toMatch(/state database .*state\.db is writable by its group and every user \(mode 0666\).*chmod 600/);
    chmodSync(join(dir, 'state.db'), 0o600);
    chmodSync(dir, 0o757);
    expect(thrown(() => openStateDatabase(dir)).code).toBe('STATE_INSECURE');
    chmodSync(dir, 0o700);
    writeFileSync(join(root, 'file'), '');
    expect(thrown(() => openStateDatabase(join(root, 'file'))).code).toBe('STATE_UNAVAILABLE');
    expect(() => openStateDatabase(dir).close()).not.toThrow();
  });
});
