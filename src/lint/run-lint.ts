import { findPolicyFile } from '../policy/source/discover.js';
import type { FixResult } from './fix.js';
import { displayPath } from './formatters/display-path.js';
import { formatLintJson } from './formatters/json.js';
import { formatPath } from '../policy/source/source-range.js';
import { formatSarif } from './formatters/sarif.js';
import { formatStylish } from './formatters/stylish.js';
import { lintFiles } from './lint-files.js';
import { LINT_RULES } from './rules.js';
import { listServerTools, type Tool } from './server-tools.js';

export interface RunLintOptions {
  files: string[];
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number;
  /** Rewrite PolicyLayer constructs into the native format first (`--fix`). */
  fix?: boolean;
  server?: { command: string; args: string[]; timeoutMs: number; signal?: AbortSignal };
  cwd: string;
  env: NodeJS.ProcessEnv;
  colorLevel: 0 | 1 | 2 | 3;
  version: string;
  write(text: string): void;
  /** One diagnostic line for stderr (the caller prefixes `mcp-guard:`). */
  note(text: string): void;
}

/**
 * `mcp-guard lint`: (with `fix`, first rewrites PolicyLayer constructs into the native format,
 * and says what it changed), then lints the files (or the discovered policy), writes the report in the chosen
 * format and returns the exit status of SPEC §5: 0 clean or warnings only, 1 on any error or
 * on more warnings than --max-warnings. Unreadable files and a server that cannot be listed
 * throw (exit 2).
 */
export async function runLint(options: RunLintOptions): Promise<number> {
  let files = options.files;
  if (files.length === 0) {
    const found = await findPolicyFile({ env: options.env, cwd: options.cwd });
    // The file was not named on the command line: say which one this is about.
    options.note(`policy ${found}`);
    files = [found];
  }
  if (options.fix) {
    const { fixFiles } = await import('./fix.js');
    const report = formatFixes(await fixFiles(files), options.cwd);
    // With --format json or sarif, stdout is the report alone.
    if (options.format === 'stylish') options.write(report);
    else for (const line of report.trimEnd().split('\n')) options.note(line);
  }
  let tools: Tool[] | undefined;
  if (options.server) {
    tools = await listServerTools(options.server.command, options.server.args, {
      timeoutMs: options.server.timeoutMs,
      cwd: options.cwd,
      ...(options.server.signal ? { signal: options.server.signal } : {}),
    });
  }
  const results = await lintFiles(files, tools ? { tools } : {});
  const maxWarnings = options.maxWarnings;
  if (options.format === 'json') options.write(formatLintJson(results));
  else if (options.format === 'sarif') options.write(formatSarif(results, { cwd: options.cwd, version: options.version, rules: LINT_RULES }));
  else options.write(formatStylish(results, { cwd: options.cwd, colorLevel: options.colorLevel, ...(maxWarnings !== undefined ? { maxWarnings } : {}) }));
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  return errors > 0 || (maxWarnings !== undefined && warnings > maxWarnings) ? 1 : 0;
}

/** What --fix did, one line per file and one per construct rewritten. */
function formatFixes(results: FixResult[], cwd: string): string {
  const lines: string[] = [];
  for (const r of results) {
    const shown = displayPath(r.file, cwd);
    if (r.skipped) lines.push(`${shown}: ${r.skipped}`);
    else if (r.changes.length === 0) lines.push(`${shown}: nothing to fix`);
    else {
      lines.push(`${shown}: rewrote ${r.changes.length} PolicyLayer construct${r.changes.length === 1 ? '' : 's'} into the native format (same decisions):`);
      for (const c of r.changes) lines.push(`  ${formatPath(c.path)} → ${c.to}`);
    }
  }
  return `${lines.join('\n')}\n\n`;
}
