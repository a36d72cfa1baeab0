import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPathWithin, resolveLikeTheOs } from '../../../../src/policy/engine/path-within.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

let dir: string;
let allowed: string;
let home: string;

beforeAll(() => {
  // realpath: the temp dir itself may sit behind a symlink (macOS /var -> /private/var).
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'path-within-')));
  allowed = path.join(dir, 'allowed');
  home = path.join(dir, 'home');
  mkdirSync(path.join(allowed, 'sub'), { recursive: true });
  mkdirSync(path.join(home, 'projects', 'app'), { recursive: true });
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside', 'secret'), 'x');
  symlinkSync(path.join(dir, 'outside'), path.join(allowed, 'escape'));
  symlinkSync('sub', path.join(allowed, 'rel-inside'));
  symlinkSync(path.join(dir, 'outside', 'missing-target'), path.join(allowed, 'dangling-out'));
  symlinkSync(path.join(allowed, 'loop-b'), path.join(allowed, 'loop-a'));
  symlinkSync(path.join(allowed, 'loop-a'), path.join(allowed, 'loop-b'));
  symlinkSync(allowed, path.join(dir, 'alias-of-allowed'));
  mkdirSync(path.join(dir, 'allowedX'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isPathWithin', () => {
  const env = () => hostFileSystem({ home, cwd: allowed });

  it('holds a path with white space or quotes at its ends inside both as written and without them', () => {
    expect(isPathWithin(`${path.join(allowed, 'sub', 'file.txt')} `, [allowed], env())).toBe(true);
    expect(isPathWithin(`'${path.join(allowed, 'sub')}'`, [allowed], env())).toBe(true);
    // Inside as written (a relative path under a directory named `"`), outside once unquoted.
    expect(isPathWithin(`"${path.join(allowed, '..', 'outside')}"`, [allowed], env())).toBe(false);
    expect(isPathWithin("'../outside' ", [allowed], env())).toBe(false);
    expect(isPathWithin(` ${path.join(allowed, 'escape', 'secret')}`, [allowed], env())).toBe(false);
  });

  it.each([
    ['the root itself', () => allowed, true],
    ['a file below it', () => path.join(allowed, 'sub', 'file.txt'), true],
    ['a path that does not exist yet', () => path.join(allowed, 'new', 'deeper', 'venv'), true],
    ['a relative path, from cwd', () => 'sub/.venv', true],
    ['a relative path with . segments', () => './sub/./x', true],
    ['a symlink that stays inside', () => path.join(allowed, 'rel-inside', 'x'), true],
    ['.. that climbs out', () => path.join(allowed, '..', '..', 'etc', 'passwd'), false],
    ['the /allowed/../../etc/passwd form', () => `${allowed}/../../etc/passwd`, false],
    ['a sibling sharing the prefix', () => path.join(dir, 'allowedX'), false],
    ['a sibling sharing the prefix, below', () => path.join(dir, 'allowedX', 'y'), false],
    ['a symlink pointing outside', () => path.join(allowed, 'escape', 'secret'), false],
    ['a dangling symlink pointing outside', () => path.join(allowed, 'dangling-out'), false],
    ['.. after a symlink (the OS applies it to the target)', () => path.join(allowed, 'escape') + '/../outside/secret', false],
    ['.. after a symlink, back into the root (where the OS lands)', () => `${allowed}/escape/../allowed/sub`, true],
    ['a symlink loop', () => path.join(allowed, 'loop-a', 'x'), false],
    ['a relative path climbing out', () => '../outside', false],
    ['a NUL byte', () => `${allowed}/sub\0/../../outside`, false],
    ['the empty string', () => '', false],
    ['~user, an account whose home is not the root', () => '~root/x', false],
    ['~user, an account no one knows', () => '~no-such-user-here/x', false],
  ])('%s', (_name, candidate, expected) => {
    expect(isPathWithin(candidate(), [allowed], env())).toBe(expected);
  });

  it('expands ~ in the candidate and in the roots', () => {
    expect(isPathWithin('~/projects/app/.venv', ['~/projects'], env())).toBe(true);
    expect(isPathWithin(path.join(home, 'projects', 'x'), ['~/projects'], env())).toBe(true);
    expect(isPathWithin('~/other', ['~/projects'], env())).toBe(false);
    expect(isPathWithin('~', ['~/projects'], env())).toBe(false);
  });

  it('resolves symlinks in the roots too', () => {
    expect(isPathWithin(path.join(allowed, 'sub'), [path.join(dir, 'alias-of-allowed')], env())).toBe(true);
    expect(isPathWithin(path.join(dir, 'alias-of-allowed', 'sub'), [allowed], env())).toBe(true);
  });

  it('is true when inside any one of several roots, false for no roots', () => {
    expect(isPathWithin('/tmp/x', [allowed, '/tmp'], env())).toBe(true);
    expect(isPathWithin(path.join(allowed, 'x'), [], env())).toBe(false);
  });

  it('treats / as containing everything', () => {
    expect(isPathWithin('/etc/passwd', ['/'], env())).toBe(true);
  });

  it('never calls anything inside that resolves outside (property)', () => {
    const segment = fc.constantFrom('..', '.', 'sub', 'escape', 'rel-inside', 'new', 'secret', 'outside', 'allowed', '');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const candidate = [allowed, ...segments].join('/');
        const inside = isPathWithin(candidate, [allowed], env());
        const [resolved, ...more] = resolveLikeTheOs(candidate, env());
        expect(more).toEqual([]);
        if (resolved === undefined) throw new Error(`${candidate} did not resolve`);
        expect(inside).toBe(resolved === allowed || resolved.startsWith(allowed + path.sep));
        // Where the whole path exists, our walk must agree with the kernel's realpath(3) (not
        // Node's JS realpathSync, which collapses `..` before following links).
        let real: string | undefined;
        try {
          real = realpathSync.native(candidate);
        } catch {
          real = undefined;
        }
        if (real !== undefined) expect(resolved).toBe(real);
      }),
    );
  });
});

/**
 * The walk as it was written before it kept a missing tail as components: path.join at every
 * step. Slow on long paths (its length squared), but plainly right; the walk must read every path
 * the same way.
 */
function joinEveryStep(absolute: string, links = { n: 0 }): { path: string; exists: boolean } | undefined {
  const root = path.parse(absolute).root;
  let current = root;
  let exists = true;
  for (const part of absolute.slice(root.length).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    if (!exists) {
      current = next;
      continue;
    }
    let isLink: boolean | undefined;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      isLink = undefined;
    }
    if (isLink === undefined) {
      exists = false;
      current = next;
    } else if (!isLink) current = next;
    else {
      if (++links.n > 40) return undefined;
      const target = readlinkSync(next);
      const reached = joinEveryStep(path.isAbsolute(target) ? target : current + path.sep + target, links);
      if (reached === undefined) return undefined;
      ({ path: current, exists } = reached);
    }
  }
  return { path: current, exists };
}

describe('resolveLikeTheOs on paths that leave the file system part-way', () => {
  it('reads them as a walk that joins at every step does, `..` after a missing part included (property)', () => {
    const env = hostFileSystem({ home, cwd: allowed });
    const segment = fc.constantFrom('..', '.', '', 'sub', 'escape', 'rel-inside', 'missing', 'new', 'secret', 'outside', 'allowed', 'dangling-out', 'loop-a');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), (segments) => {
        const candidate = [allowed, ...segments].join('/');
        const [resolved] = resolveLikeTheOs(candidate, env);
        expect(resolved).toBe(joinEveryStep(candidate)?.path);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the rest as written after a dangling link, links in it too', () => {
    const env = hostFileSystem({ home, cwd: allowed });
    const candidate = `${allowed}/dangling-out/../../allowed/escape/secret`;
    expect(resolveLikeTheOs(candidate, env)).toEqual([joinEveryStep(candidate)!.path]);
    expect(resolveLikeTheOs(candidate, env)).toEqual([`${dir}/allowed/escape/secret`]);
  });

  it('reads a path of thousands of missing parts as written', () => {
    const env = hostFileSystem({ home, cwd: allowed });
    const deep = `${allowed}/missing/${'a/'.repeat(2000)}x/../y`;
    expect(resolveLikeTheOs(deep, env)).toEqual([`${allowed}/missing/${'a/'.repeat(2000)}y`]);
  });
});

describe('a relative path once the working directory has moved', () => {
  // The session started in `started`; the directory was then moved to `moved` and something else
  // put at its old path. A Go or Python server opens `x` in `moved`; a Node server opens
  // `started/x`, whatever that is now. Both must be judged.
  let started: string;
  let moved: string;
  beforeAll(() => {
    started = path.join(dir, 'started');
    moved = path.join(dir, 'moved');
    mkdirSync(started);
    mkdirSync(moved);
    symlinkSync(path.join(dir, 'outside'), path.join(moved, 'via-moved'));
    symlinkSync(path.join(dir, 'outside'), path.join(started, 'via-started'));
  });
  const envAt = (now: string | undefined) => ({ ...hostFileSystem({ home, cwd: started }), workingDirectory: () => now });

  it('is read both ways', () => {
    expect(resolveLikeTheOs('x', envAt(moved))).toEqual([path.join(started, 'x'), path.join(moved, 'x')]);
    expect(resolveLikeTheOs('via-moved/secret', envAt(moved))).toEqual([path.join(started, 'via-moved', 'secret'), path.join(dir, 'outside', 'secret')]);
  });

  it('is inside only when both readings are', () => {
    for (const name of ['via-moved', 'via-moved/secret', 'via-started', 'via-started/secret']) {
      expect(isPathWithin(name, [started, moved], envAt(moved))).toBe(false);
    }
    expect(isPathWithin('plain', [started, moved], envAt(moved))).toBe(true);
    expect(isPathWithin('plain', [started], envAt(moved))).toBe(false);
  });

  it('is read once while the directory has not moved, and only from its path once it is removed', () => {
    expect(resolveLikeTheOs('x', envAt(started))).toEqual([path.join(started, 'x')]);
    expect(resolveLikeTheOs('x', envAt(undefined))).toEqual([path.join(started, 'x')]);
  });
});
