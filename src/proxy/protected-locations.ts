import { statSync } from 'node:fs';
import path from 'node:path';
import { isPathWithin, type PathEnv, resolveLikeTheOs } from '../policy/engine/path-within.js';
import type { ProtectedLocation } from '../policy/engine/self-protection.js';
import type { PolicyDocument } from '../policy/engine/types.js';
import { schemas } from '../policy/engine/walk.js';

export interface OwnFiles {
  policyFile: string;
  /** The SQLite state dir; none when the state lives in Redis. */
  stateDir: string | undefined;
  auditLog: string | undefined;
}

/**
 * mcp-guard's own files in this session, as the engine's self-protection compares them (SPEC §9):
 * each as written and as resolved (a symlinked policy is protected at its link and its target),
 * with whether its file system ignores letter case.
 */
export function protectedLocations(own: OwnFiles, env: PathEnv): ProtectedLocation[] {
  const out: ProtectedLocation[] = [];
  const add = (file: string | undefined, what: string) => {
    if (!file) return;
    const absolute = path.resolve(env.cwd, file);
    for (const spelling of new Set([absolute, ...resolveLikeTheOs(absolute, env)])) {
      if (!out.some((l) => l.path === spelling)) out.push({ path: spelling, what, caseInsensitive: ignoresCase(spelling) });
    }
  };
  add(own.policyFile, 'the policy file');
  add(own.stateDir, 'the state directory');
  add(own.auditLog, 'the audit log');
  return out;
}

/**
 * Whether the file system holding `file` ignores letter case (macOS and Windows by default): the
 * nearest existing ancestor with a letter in its name is found again under another case.
 */
function ignoresCase(file: string): boolean {
  for (let dir = file; ; dir = path.dirname(dir)) {
    const name = path.basename(dir);
    if (name !== name.toUpperCase() || name !== name.toLowerCase()) {
      const swapped = path.join(path.dirname(dir), swapCase(name));
      try {
        const a = statSync(dir);
        const b = statSync(swapped);
        return a.ino === b.ino && a.dev === b.dev;
      } catch {
        // Does not exist (yet), or the swapped name does not: look at the parent.
      }
    }
    if (path.dirname(dir) === dir) return process.platform === 'win32' || process.platform === 'darwin';
  }
}

function swapCase(name: string): string {
  return Array.from(name, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/**
 * SPEC §9: mcp-guard's own files inside a directory an allowed tool may write to (an
 * `x-path-within` root of a tool the policy does not deny) are one tool call away from an
 * agent; self-protection refuses such calls, and the person is told to move them anyway.
 */
export function exposedOwnFiles(doc: PolicyDocument, own: OwnFiles, env: PathEnv): string[] {
  const roots = new Set<string>();
  for (const visit of schemas(doc)) {
    const [map, key] = visit.path;
    if (map !== 'tools' || typeof key !== 'string') continue;
    const rule = doc.tools?.[key];
    const action = typeof rule === 'string' ? rule : rule?.action;
    if (action === 'deny' || action === 'hide') continue;
    collectRoots(visit.schema, roots);
  }
  const warnings: string[] = [];
  for (const [file, what] of [
    [own.policyFile, 'the policy file'],
    [own.stateDir, 'the state directory'],
  ] as const) {
    if (file === undefined) continue;
    const root = [...roots].find((r) => isPathWithin(file, [r], env));
    if (root) warnings.push(`${what} ${file} lies inside ${root}, where the policy lets a tool write (x-path-within); mcp-guard refuses calls that name it, but keep it outside: move it, or narrow the root`);
  }
  return warnings;
}

function collectRoots(schema: unknown, roots: Set<string>, depth = 0): void {
  if (schema === null || typeof schema !== 'object' || depth > 64) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-path-within' && Array.isArray(value)) {
      for (const r of value) if (typeof r === 'string') roots.add(r);
    } else collectRoots(value, roots, depth + 1);
  }
}
