/**
 * `pyvenv.cfg`, the file that makes a directory a virtual environment (PEP 405): `key = value`
 * lines. The stdlib `venv`, `uv` and `virtualenv` each write a few keys of their own; this module
 * reads them all into one shape so `info` does not care which tool made the venv.
 */
export type PyvenvConfig = ReadonlyMap<string, string>;

/** Parses the text of a `pyvenv.cfg`: keys are lower-cased and trimmed, later keys win, other lines are ignored. */
export function parsePyvenvCfg(text: string): PyvenvConfig {
  const config = new Map<string, string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    config.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return config;
}

/** The Python version the venv was made for: `version` (stdlib venv) or `version_info` (uv, virtualenv), as `X.Y.Z`. */
export function pythonVersionOf(config: PyvenvConfig): string | null {
  const raw = config.get('version') ?? config.get('version_info');
  if (!raw) return null;
  // virtualenv writes `3.11.7.final.0`; keep the numeric release only.
  const match = /^\d+(?:\.\d+){0,2}/.exec(raw);
  return match ? match[0] : raw;
}

/** `include-system-site-packages`, which PEP 405 spells `true`/`false` (case-insensitive). */
export function includesSystemSitePackages(config: PyvenvConfig): boolean {
  return (config.get('include-system-site-packages') ?? 'false').toLowerCase() === 'true';
}

export type CreatorTool = 'venv' | 'uv' | 'virtualenv' | 'unknown';

export interface Creator {
  tool: CreatorTool;
  /** The creating tool's own version, when it records one (uv, virtualenv). */
  version: string | null;
  /** The command line that made the venv (stdlib venv since Python 3.11). */
  command: string | null;
}

/** Which tool made the venv, from the marker key each one writes. */
export function creatorOf(config: PyvenvConfig): Creator {
  const command = config.get('command') ?? null;
  if (config.has('uv')) return { tool: 'uv', version: config.get('uv') || null, command };
  if (config.has('virtualenv')) return { tool: 'virtualenv', version: config.get('virtualenv') || null, command };
  // The stdlib writes only these keys; before 3.11 it wrote no `command`, so its absence proves nothing.
  const stdlibKeys = new Set(['home', 'include-system-site-packages', 'version', 'executable', 'command', 'prompt']);
  if ([...config.keys()].every((key) => stdlibKeys.has(key))) return { tool: 'venv', version: null, command };
  return { tool: 'unknown', version: null, command };
}

/** The prompt, unquoted: the stdlib writes it as a Python repr (`prompt = 'my env'`), uv and virtualenv write it bare. */
export function promptOf(config: PyvenvConfig): string | null {
  const raw = config.get('prompt');
  if (raw === undefined) return null;
  const quoted = /^(['"])(.*)\1$/s.exec(raw);
  if (!quoted) return raw;
  return quoted[2]!.replace(/\\(['"\\])/g, '$1');
}
