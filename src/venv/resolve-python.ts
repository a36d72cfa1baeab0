import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GuardError, UsageError } from '../errors.js';
import { expandHome } from '../paths/expand-home.js';
import { findExecutable } from './find-executable.js';
import { runTool } from './run-tool.js';

/** A Python interpreter that answered: where it really is and what it is. */
export interface PythonInterpreter {
  /** `sys.executable` as the interpreter reports it. */
  executable: string;
  /** `X.Y.Z`. */
  version: string;
  /** `cpython`, `pypy`, ... */
  implementation: string;
  /** What the user asked for (`--python`), or `null` for the default. */
  requested: string | null;
}

export interface ResolvePythonOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
}

/** One way to start an interpreter: a file plus leading arguments (the Windows `py` launcher needs `-3.12`). */
interface Candidate {
  file: string;
  args: string[];
  display: string;
}

const VERSION_SPEC = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;

const PROBE = 'import sys, json; print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3], "implementation": sys.implementation.name}))';

function looksLikePath(spec: string, platform: NodeJS.Platform): boolean {
  return spec.includes('/') || (platform === 'win32' && (spec.includes('\\') || /^[a-zA-Z]:/.test(spec))) || spec.startsWith('~') || spec.startsWith('.');
}

/** The commands a `--python` value stands for, in the order they are tried. */
async function candidatesFor(spec: string | null, options: ResolvePythonOptions): Promise<{ found: Candidate[]; tried: string[] }> {
  const platform = options.platform ?? process.platform;
  const onPath = async (name: string, args: string[] = []): Promise<Candidate | null> => {
    const file = await findExecutable(name, { env: options.env, platform });
    return file ? { file, args, display: [name, ...args].join(' ') } : null;
  };
  let names: Array<[string, string[]]>;
  if (spec === null) {
    names = platform === 'win32' ? [['python', []], ['python3', []], ['py', ['-3']]] : [['python3', []], ['python', []]];
  } else if (VERSION_SPEC.test(spec)) {
    names = [[`python${spec.split('.').slice(0, 2).join('.')}`, []]];
    if (platform === 'win32') names.push(['py', [`-${spec.split('.').slice(0, 2).join('.')}`]]);
  } else if (looksLikePath(spec, platform)) {
    const file = path.resolve(options.cwd, expandHome(spec, os.homedir(), platform));
    const info = await stat(file).catch(() => null);
    if (!info) throw new GuardError('PYTHON_NOT_FOUND', `--python ${spec}: ${file} does not exist`, { data: { python: spec } });
    if (!info.isFile()) throw new GuardError('PYTHON_NOT_FOUND', `--python ${spec}: ${file} is not a file`, { data: { python: spec } });
    return { found: [{ file, args: [], display: file }], tried: [file] };
  } else {
    names = [[spec, []]];
  }
  const found: Candidate[] = [];
  for (const [name, args] of names) {
    const candidate = await onPath(name, args);
    if (candidate) found.push(candidate);
  }
  return { found, tried: names.map(([name, args]) => [name, ...args].join(' ')) };
}

/**
 * Resolves `--python` (a path, a command name, or a version such as `3.12`, which means
 * `python3.12` on PATH) to a working interpreter, by running it: a path that is not Python, or a
 * `python3.12` that turns out to be 3.11, is caught here rather than halfway through a create.
 */
export async function resolvePython(spec: string | undefined, options: ResolvePythonOptions): Promise<PythonInterpreter> {
  if (spec !== undefined && spec.trim() === '') throw new UsageError('--python needs a value: a path, a command name, or a version like 3.12');
  const requested = spec ?? null;
  const { found, tried } = await candidatesFor(requested, options);
  if (found.length === 0) {
    const what = requested === null ? 'no Python interpreter' : VERSION_SPEC.test(requested) ? `no Python ${requested}` : `no ${requested}`;
    throw new GuardError('PYTHON_NOT_FOUND', `${what} found on PATH (looked for ${tried.join(', ')}); install it or pass --python with a path`, {
      data: { python: requested, tried },
    });
  }
  const candidate = found[0]!;
  const output = await runTool({
    file: candidate.file,
    args: [...candidate.args, '-c', PROBE],
    label: `${candidate.display} (checking the interpreter)`,
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    timeoutMs: 30_000,
  }).catch((error: unknown) => {
    if (error instanceof GuardError && error.code === 'VENV_INTERRUPTED') throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new GuardError('PYTHON_NOT_WORKING', `${candidate.display} is not a working Python 3 interpreter: ${why}`, {
      data: { python: requested },
      cause: error,
    });
  });
  let probe: { executable?: unknown; version?: unknown; implementation?: unknown };
  try {
    probe = JSON.parse(output.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new GuardError('PYTHON_NOT_WORKING', `${candidate.display} is not a working Python 3 interpreter: it did not answer a version check`, {
      data: { python: requested },
    });
  }
  if (typeof probe.executable !== 'string' || typeof probe.version !== 'string') {
    throw new GuardError('PYTHON_NOT_WORKING', `${candidate.display} is not a working Python 3 interpreter: it did not answer a version check`, {
      data: { python: requested },
    });
  }
  if (requested !== null && VERSION_SPEC.test(requested)) {
    const wanted = requested.split('.');
    const got = probe.version.split('.');
    if (wanted.some((part, i) => Number(part) !== Number(got[i]))) {
      throw new GuardError('PYTHON_VERSION_MISMATCH', `${candidate.display} is Python ${probe.version}, not ${requested}`, {
        data: { python: requested, found: probe.version },
      });
    }
  }
  // An interpreter embedded somewhere odd can report an empty sys.executable; fall back to the file we ran.
  const executable = probe.executable === '' ? candidate.file : probe.executable;
  return {
    executable,
    version: probe.version,
    implementation: typeof probe.implementation === 'string' ? probe.implementation : 'cpython',
    requested,
  };
}
