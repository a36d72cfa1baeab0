import { findPolicyFile } from '../policy/source/discover.js';
import { formatJson } from './formatters/json.js';
import { formatSarif } from './formatters/sarif.js';
import { formatStylish } from './formatters/stylish.js';
import { lintFiles } from './lint-files.js';
import { LINT_RULES } from './rules.js';
import { listServerTools, type Tool } from './server-tools.js';

export interface RunLintOptions {
  files: string[];
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number;
  server?: { command: string; args: string[]; timeoutMs: number; signal?: AbortSignal };
  cwd: string;
  env: NodeJS.ProcessEnv;
  colorLevel: 0 | 1 | 2 | 3;
  version: string;
  write(text: string): void;
}

/**
 * `mcp-guard lint`: lints the files (or the discovered policy), writes the report in the chosen
 * format and returns the exit status of SPEC §5: 0 clean or warnings only, 1 on any error or
 * on more warnings than --max-warnings. Unreadable files and a server that cannot be listed
 * throw (exit 2).
 */
export async function runLint(options: RunLintOptions): Promise<number> {
  const files = options.files.length > 0 ? options.files : [await findPolicyFile({ env: options.env, cwd: options.cwd })];
  let tools: Tool[] | undefined;
  if (options.server) tools = await listServerTools(options.server.command, options.server.args, {
      timeoutMs: options.server.timeoutMs,
      cwd: options.cwd,
      ...(options.server.signal ? { signal: options.server.signal } : {}),
    });
  const results = await lintFiles(files, tools ? { tools } : {});
  const maxWarnings = options.maxWarnings;
  if (options.format === 'json') options.write(formatJson(results));
  else if (options.format === 'sarif') options.write(formatSarif(results, { cwd: options.cwd, version: options.version, rules: LINT_RULES }));
  else options.write(formatStylish(results, { cwd: options.cwd, colorLevel: options.colorLevel, ...(maxWarnings !== undefined ? { maxWarnings } : {}) }));
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  return errors > 0 || (maxWarnings !== undefined && warnings > maxWarnings) ? 1 : 0;
}
