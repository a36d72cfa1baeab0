import type { PolicyProblem } from '../errors.js';
import { readPolicySource } from '../policy/load.js';
import { validatePolicy } from '../policy/checks/validate.js';
import { formatPath } from '../policy/source/source-range.js';
import { isObject } from '../policy/engine/walk.js';
import { SERVER_RULES } from './server-rules.js';
import type { Tool } from './server-tools.js';

/** What lint found in one file. */
export interface LintResult {
  /** Absolute path. */
  file: string;
  problems: PolicyProblem[];
  errorCount: number;
  warningCount: number;
  /** Notes (severity `info`): never a failure, never counted as warnings. */
  infoCount: number;
}

/**
 * Lints policy files: the same validation `run` applies when it loads a policy, plus, given
 * the server's tools, the checks against reality. A file that cannot be read throws
 * (PolicyError, exit 2): there is nothing to lint.
 */
export async function lintFiles(files: string[], options: { tools?: Tool[] } = {}): Promise<LintResult[]> {
  const results: LintResult[] = [];
  for (const file of files) {
    const source = await readPolicySource(file);
    const problems = await validatePolicy(source);
    if (options.tools && isObject(source.value) && !problems.some((p) => p.ruleId === 'syntax')) {
      for (const rule of SERVER_RULES) {
        for (const found of rule.check({ doc: source.value, tools: options.tools })) {
          problems.push({
            file: source.file,
            ...source.locate(found.path, found.target),
            severity: rule.meta.severity,
            path: formatPath(found.path),
            ruleId: rule.meta.id,
            message: found.message,
            ...(found.suggestion !== undefined ? { suggestion: found.suggestion } : {}),
          });
        }
      }
      problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    results.push({
      file: source.file,
      problems,
      errorCount: problems.filter((p) => p.severity === 'error').length,
      warningCount: problems.filter((p) => p.severity === 'warning').length,
      infoCount: problems.filter((p) => p.severity === 'info').length,
    });
  }
  return results;
}
