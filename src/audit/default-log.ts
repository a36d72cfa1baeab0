import { homedir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { loadPolicy } from '../policy/load.js';
import { findPolicyFile } from '../policy/source/discover.js';

/**
 * The audit log `mcp-guard audit` reads when none is given: the policy's `audit.path` (the
 * `--policy` one, else the discovered one), resolved as `run` resolves it (`~` expanded,
 * relative to the working directory).
 */
export async function defaultAuditLog(options: { policy?: string; cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  let file: string;
  try {
    file = await findPolicyFile({ explicit: options.policy, env: options.env, cwd: options.cwd });
  } catch {
    throw new UsageError('no audit log given and no policy found to read "audit.path" from; pass the log: mcp-guard audit <audit.jsonl> (the file given to --audit-log)');
  }
  const { document } = await loadPolicy(file);
  const logPath = document.audit?.path;
  if (logPath === undefined) {
    throw new UsageError(`no audit log given, and ${file} has no "audit": { "path": ... }; pass the log: mcp-guard audit <audit.jsonl> (the file given to --audit-log)`);
  }
  const expanded = logPath === '~' || logPath.startsWith('~/') ? `${homedir()}${logPath.slice(1)}` : logPath;
  return path.resolve(options.cwd, expanded);
}
