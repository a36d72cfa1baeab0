import path from 'node:path';
import { refuse, type RefuseDecision } from './decision.js';
import { nfc } from './nfc.js';
import { otherReadings } from './path-readings.js';
import { type PathEnv, resolveLikeTheOs } from './path-within.js';
import { filePathsOf } from './uri.js';

/**
 * SPEC §9: mcp-guard's own files (the policy in use and its symlink target, the state dir, the
 * audit log) are out of the agent's reach whatever the policy says. A tool call is refused when
 * any string in its arguments, at any depth, names a path inside one of them once resolved the
 * way a server would resolve it (`~`, relative to the working directory, `..`, `.`, trailing `/`,
 * symlinks of existing parents, another Unicode normalization; and as servers may also read it:
 * up to a NUL, without NULs, without white space and quotes at its ends, with `\` for `/`, with
 * `$VARIABLES` expanded), or contains one's absolute path (`cat /home/me/policy.json`).
 */
export interface ProtectedLocation {
  /** Absolute and free of symlinks. */
  path: string;
  /** What it is, for the refusal: `the policy file`, `the state directory`, `the audit log`. */
  what: string;
  /** The file system holding it ignores letter case (macOS and Windows by default). */
  caseInsensitive: boolean;
}

/** Strings longer than this cannot be a path (PATH_MAX), so only the substring test applies. */
const MAX_PATH = 4096;

/**
 * What the engine knows of the tool (from the server's tools/list): a tool the server marks
 * read-only may name a directory that holds one of mcp-guard's files (listing the workspace must
 * keep working); any other may not, or it could move the folder away, rewrite the file and move it back.
 */
export interface ToolTraits {
  readOnly: boolean;
}

/**
 * Readings besides as written (path-readings.ts) judged per call, at most. Each may cost a
 * system call, and a string made to have every kind of reading has up to 64: 100,000 such strings
 * took 2.8–4.8 s to judge where as many plain ones took 0.56 s. Past the budget the call is
 * refused (what was not judged is not let through); ordinary calls come nowhere near it.
 */
export const MAX_READINGS_PER_CALL = 20_000;

/** The call's readings outran MAX_READINGS_PER_CALL. */
class TooManyReadings extends Error {}

export function protectToolArguments(args: unknown, locations: readonly ProtectedLocation[], env: PathEnv, tool: ToolTraits = { readOnly: false }): RefuseDecision | undefined {
  if (locations.length === 0 || args === null || typeof args !== 'object') return undefined;
  const list = prepared(locations);
  const budget = { left: MAX_READINGS_PER_CALL };
  // Iterative: arguments may be nested up to the relay's depth limit.
  const stack: unknown[] = [args];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      let hit: ProtectedLocation | undefined;
      try {
        hit = protectedBy(value, list, env, !tool.readOnly, budget) ?? protectedFileUri(value, list, env, !tool.readOnly, budget);
      } catch (error) {
        if (!(error instanceof TooManyReadings)) throw error;
        return refuse(
          'protected',
          'self-protection',
          `this call has more strings that servers could read as other paths (with a NUL, a \\, a $VARIABLE, or quotes or white space at their ends) than mcp-guard judges in one call (${MAX_READINGS_PER_CALL.toLocaleString('en-US')} readings); send them in several calls`,
        );
      }
      if (hit) return refusal(hit);
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value)) for (const item of value) stack.push(item);
      // for-in makes no array of the values; a member inherited from a polluted prototype would
      // only be one more string judged.
      else for (const key in value) stack.push((value as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

/** `resources/read` (and subscribe) of a `file:` URI inside a protected location, read any way a server reads it. */
export function protectResource(uri: string, locations: readonly ProtectedLocation[], env: PathEnv): RefuseDecision | undefined {
  if (locations.length === 0) return undefined;
  const list = prepared(locations);
  const hit = filePathsOf(uri) === undefined ? mentions(uri, list) : protectedFileUri(uri, list, env, false);
  return hit ? refusal(hit) : undefined;
}

/** A `file:` URI in an argument (many servers take one where a path goes), judged as each path it can name. */
function protectedFileUri(text: string, locations: readonly Prepared[], env: PathEnv, ancestorsToo: boolean, budget?: { left: number }): ProtectedLocation | undefined {
  for (const file of filePathsOf(text) ?? []) {
    const hit = protectedBy(file, locations, env, ancestorsToo, budget);
    if (hit) return hit;
  }
  return undefined;
}

function refusal(location: ProtectedLocation): RefuseDecision {
  return refuse(
    'protected',
    'self-protection',
    `this call names ${location.what} of mcp-guard (${location.path}), which no tool may read or change; leave it out, or ask the user to do it outside the agent`,
  );
}

/** `text` as written, or any way a server may read it besides (path-readings.ts), names a location. */
function protectedBy(text: string, locations: readonly Prepared[], env: PathEnv, ancestorsToo = false, budget?: { left: number }): ProtectedLocation | undefined {
  const hit = protectedAsRead(text, locations, env, ancestorsToo);
  if (hit) return hit;
  const readings = otherReadings(text, env);
  if (budget && readings.length > 0 && (budget.left -= readings.length) < 0) throw new TooManyReadings();
  for (const reading of readings) {
    const other = protectedAsRead(reading, locations, env, ancestorsToo);
    if (other) return other;
  }
  return undefined;
}

function protectedAsRead(text: string, locations: readonly Prepared[], env: PathEnv, ancestorsToo: boolean): ProtectedLocation | undefined {
  const mentioned = mentions(text, locations);
  if (mentioned) return mentioned;
  // No path has a NUL in it (the readings without one are judged as paths).
  if (text.length === 0 || text.length > MAX_PATH || text.includes('\0')) return undefined;
  // Servers resolve a relative path against a directory of their own (server-filesystem: its
  // first root), which mcp-guard cannot know: one that could name a protected location from
  // some directory (`policy.json`, `.config/policy.json`, `state/state.db`) is refused.
  if (!path.isAbsolute(text) && !text.startsWith('~') && looksLikePath(text)) {
    const tail = tailMatch(text, locations, ancestorsToo);
    if (tail) return tail;
  }
  for (const resolved of resolveLikeTheOs(text, env)) {
    let lower: string | undefined;
    let plain: string | undefined;
    for (const { location, base, prefix } of locations) {
      const candidate = location.caseInsensitive ? (lower ??= compared(resolved, true)) : (plain ??= compared(resolved, false));
      if (candidate === base || candidate.startsWith(prefix)) return location;
      if (ancestorsToo && holds(candidate, resolved, base, env)) return location;
    }
  }
  return undefined;
}

/**
 * A location with its path as compared (in NFC, and in lower case where letter case is ignored),
 * the same ending in a separator, as written (lower case where letter case is ignored), and its
 * components as compared.
 */
interface Prepared {
  location: ProtectedLocation;
  base: string;
  prefix: string;
  written: string;
  components: string[];
}

/** A path as it is compared with the locations: in NFC (nfc.ts), and in lower case where letter case is ignored. */
function compared(text: string, caseInsensitive: boolean): string {
  return caseInsensitive ? nfc(text).toLowerCase() : nfc(text);
}

/** Prepared once per list of locations (one per policy in force), not per string judged. */
const preparedLists = new WeakMap<readonly ProtectedLocation[], Prepared[]>();

function prepared(locations: readonly ProtectedLocation[]): Prepared[] {
  let known = preparedLists.get(locations);
  if (!known) {
    known = locations.map((location) => {
      const base = compared(location.path, location.caseInsensitive);
      return {
        location,
        base,
        prefix: base.endsWith(path.sep) ? base : base + path.sep,
        written: location.caseInsensitive ? location.path.toLowerCase() : location.path,
        components: location.path.split(path.sep).filter(Boolean).map((c) => compared(c, location.caseInsensitive)),
      };
    });
    preparedLists.set(locations, known);
  }
  return known;
}

/**
 * Free text is not taken for a relative path: only a string with no white space, that is no URL,
 * and that has a separator or a dot in it (`policy.json`, `state/state.db`, `.config`). A bare
 * word (`state`) is judged only as a path from mcp-guard's working directory.
 */
function looksLikePath(text: string): boolean {
  return !/\s/.test(text) && !/^[a-z][a-z0-9+.-]*:/i.test(text) && /[./\\]/.test(text);
}

/**
 * Whether the relative path, resolved from some directory, could be a protected location or lie
 * inside one: its leading components are the last ones of the location's path (or, with
 * `ancestorsToo`, of a directory holding it). `..` and `.` are collapsed first.
 */
function tailMatch(text: string, locations: readonly Prepared[], ancestorsToo: boolean): ProtectedLocation | undefined {
  const parts = path.normalize(text).split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts[0] === '..') return undefined;
  for (const { location, components: own } of locations) {
    const given = parts.map((part) => compared(part, location.caseInsensitive));
    // The location itself or something inside it: its last k components begin the relative path.
    for (let k = 1; k <= Math.min(own.length, given.length); k++) {
      if (own.slice(own.length - k).every((c, i) => c === given[i])) return location;
    }
    // A directory holding it: the relative path ends within the location's path.
    if (ancestorsToo) {
      for (let end = own.length - 1; end >= 1; end--) {
        const k = given.length;
        if (k <= end && own.slice(end - k, end).every((c, i) => c === given[i])) return location;
      }
    }
  }
  return undefined;
}

/**
 * Whether `resolved` is a directory that holds the location (`candidate` is it as compared), not
 * `/` or the home directory, which hold everything.
 */
function holds(candidate: string, resolved: string, base: string, env: PathEnv): boolean {
  if (candidate.length >= base.length) return false;
  if (!base.startsWith(candidate.endsWith(path.sep) ? candidate : candidate + path.sep)) return false;
  return resolved !== path.parse(resolved).root && resolved !== env.home;
}

/** Whether the text holds a location's absolute path, as written or in another Unicode normalization. */
function mentions(text: string, locations: readonly Prepared[]): ProtectedLocation | undefined {
  let lowered: string | undefined;
  let loweredForm: string | undefined;
  let form: string | undefined;
  for (const { location, base, written } of locations) {
    const ci = location.caseInsensitive;
    const given = ci ? (lowered ??= text.toLowerCase()) : text;
    if (given.includes(written)) return location;
    const asCompared = ci ? (loweredForm ??= compared(text, true)) : (form ??= compared(text, false));
    if ((asCompared !== given || base !== written) && asCompared.includes(base)) return location;
  }
  return undefined;
}
