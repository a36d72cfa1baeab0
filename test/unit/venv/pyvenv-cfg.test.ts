import { describe, expect, it } from 'vitest';
import { creatorOf, includesSystemSitePackages, parsePyvenvCfg, promptOf, pythonVersionOf } from '../../../src/venv/pyvenv-cfg.js';

// What each tool really writes (trimmed to the keys that matter).
const STDLIB_311 = `home = /usr/bin
include-system-site-packages = false
version = 3.11.2
prompt = 'my env'
executable = /usr/bin/python3.11
command = /usr/bin/python3 -m venv --prompt="my env" /tmp/x
`;
const STDLIB_38 = 'home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.8.10\n';
const UV = 'home = /usr/bin\nimplementation = CPython\nuv = 0.4.18\nversion_info = 3.12.7\ninclude-system-site-packages = false\nprompt = proj\n';
const VIRTUALENV = 'home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.7.final.0\nvirtualenv = 20.26.3\ninclude-system-site-packages = false\nbase-prefix = /usr\n';

describe('pyvenv.cfg', () => {
  it('parses key = value lines, lower-casing keys and skipping comments and junk', () => {
    const cfg = parsePyvenvCfg('\uFEFFHome = C:\\Python312\r\n# comment\nnot a pair\n= no key\nversion=3.12.1\n');
    expect(Object.fromEntries(cfg)).toEqual({ home: 'C:\\Python312', version: '3.12.1' });
  });

  it.each([
    [STDLIB_311, '3.11.2'],
    [UV, '3.12.7'],
    [VIRTUALENV, '3.11.7'],
    ['home = /x\n', null],
  ])('reads the Python version of %#', (text, version) => {
    expect(pythonVersionOf(parsePyvenvCfg(text))).toBe(version);
  });

  it('reads include-system-site-packages, false when absent', () => {
    expect(includesSystemSitePackages(parsePyvenvCfg(STDLIB_38))).toBe(true);
    expect(includesSystemSitePackages(parsePyvenvCfg('include-system-site-packages = True'))).toBe(true);
    expect(includesSystemSitePackages(parsePyvenvCfg(UV))).toBe(false);
    expect(includesSystemSitePackages(parsePyvenvCfg('home = /x'))).toBe(false);
  });

  it('tells which tool made the venv', () => {
    expect(creatorOf(parsePyvenvCfg(STDLIB_311))).toEqual({ tool: 'venv', version: null, command: '/usr/bin/python3 -m venv --prompt="my env" /tmp/x' });
    expect(creatorOf(parsePyvenvCfg(STDLIB_38))).toEqual({ tool: 'venv', version: null, command: null });
    expect(creatorOf(parsePyvenvCfg(UV))).toEqual({ tool: 'uv', version: '0.4.18', command: null });
    expect(creatorOf(parsePyvenvCfg(VIRTUALENV))).toEqual({ tool: 'virtualenv', version: '20.26.3', command: null });
    expect(creatorOf(parsePyvenvCfg('home = /x\nconda = 1\n'))).toEqual({ tool: 'unknown', version: null, command: null });
  });

  it('unquotes the prompt the stdlib writes as a Python repr, and keeps bare ones', () => {
    expect(promptOf(parsePyvenvCfg("prompt = 'my env'"))).toBe('my env');
    expect(promptOf(parsePyvenvCfg('prompt = "it\'s"'))).toBe("it's");
    expect(promptOf(parsePyvenvCfg("prompt = 'it\\'s'"))).toBe("it's");
    expect(promptOf(parsePyvenvCfg(UV))).toBe('proj');
    expect(promptOf(parsePyvenvCfg('home = /x'))).toBeNull();
  });
});
