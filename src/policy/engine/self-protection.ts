import path from 'node:path';
import { refuse, type RefuseDecision } from './decision.js';
import { type PathEnv, resolveLikeTheOs } from './path-within.js';
import { filePathOf } from './uri.js';

/**
 * SPEC §9: mcp-guard's own files (the policy in use and its symlink target, the state dir, the
 * audit log) are out of the agent's reach whatever the policy says. A tool call is refused when
 * any string in its arguments, at any depth, names a path inside one of them once resolved the
 * way a server would resolve it (`~`, relative to the working directory, `..`, `.`, trailing `/`,
 * symlinks of existing parents), or contains one's absolute path (`cat /home/me/policy.json`).
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

export function protectToolArguments(args: unknown, locations: readonly ProtectedLocation[], env: PathEnv): RefuseDecision | undefined {
  if (locations.length === 0 || args === null || typeof args !== 'object') return undefined;
  // Iterative: arguments may be nested up to the relay's depth limit.
  const stack: unknown[] = [args];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      const hit = protectedBy(value, locations, env);
      if (hit) return refusal(hit);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push(item);
    }
  }
  return undefined;
}

/** `resources/read` (and subscribe) of a `file:` URI inside a protected location. */
export function protectResource(uri: string, locations: readonly ProtectedLocation[], env: PathEnv): RefuseDecision | undefined {
  if (locations.length === 0) return undefined;
  const file = filePathOf(uri);
  const hit = file === undefined ? mentions(uri, locations) : protectedBy(file, locations, env);
  return hit ? refusal(hit) : undefined;
}

function refusal(location: ProtectedLocation): RefuseDecision {
  return refuse(
    'protected',
    'self-protection',
    `this call names ${location.what} of mcp-guard (${location.path}), which no tool may read or change; leave it out, or ask the user to do it outside the agent`,
  );
}

function protectedBy(text: string, locations: readonly ProtectedLocation[], env: PathEnv): ProtectedLocation | undefined {
  const mentioned = mentions(text, locations);
  if (mentioned) return mentioned;
  if (text.length === 0 || text.length > MAX_PATH) return undefined;
  const resolved = resolveLikeTheOs(text, env);
  if (resolved === undefined) return undefined;
  for (const location of locations) if (inside(resolved, location)) return location;
  return undefined;
}

function mentions(text: string, locations: readonly ProtectedLocation[]): ProtectedLocation | undefined {
  let lower: string | undefined;
  for (const location of locations) {
    if (location.caseInsensitive) {
      lower ??= text.toLowerCase();
      if (lower.includes(location.path.toLowerCase())) return location;
    } else if (text.includes(location.path)) return location;
  }
  return undefined;
}

function inside(resolved: string, location: ProtectedLocation): boolean {
  const candidate = location.caseInsensitive ? resolved.toLowerCase() : resolved;
  const base = location.caseInsensitive ? location.path.toLowerCase() : location.path;
  return candidate === base || candidate.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
}
