import path from 'node:path';
import { loadCompiledPolicy } from '../policy/compile-file.js';
import { findPolicyFile } from '../policy/source/discover.js';
import { readAuditLogs } from './read-log.js';
import { type ReplayReport, replayEntries } from './replay.js';

export interface ReplayRun {
  /** The policy the records were judged under (absolute). */
  policy: string;
  logs: string[];
  /** Lines that are not audit records. */
  unreadable: Array<{ file: string; line: number }>;
  report: ReplayReport;
}

/** `mcp-guard replay`: reads the logs, compiles the policy (`--policy`, else the discovered one) and replays. */
export async function runReplay(options: { logs: string[]; policy?: string; cwd: string; env: NodeJS.ProcessEnv }): Promise<ReplayRun> {
  const file = await findPolicyFile({ explicit: options.policy, env: options.env, cwd: options.cwd });
  const { loaded, policy } = await loadCompiledPolicy(file);
  const logs = options.logs.map((log) => path.resolve(options.cwd, log));
  const { entries, unreadable } = await readAuditLogs(logs);
  return { policy: loaded.file, logs, unreadable, report: replayEntries(policy, entries) };
}
