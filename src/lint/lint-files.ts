import path from 'node:path';
import type { PolicyProblem } from '../policy/problem.js';
import { validateTestSource } from '../policy/checks/test-cases.js';
import { findPolicyFor, findTestFiles, isTestFile } from '../policy/source/test-files.js';
import { readPolicySource } from '../policy/load.js';
import { validatePolicy } from '../policy/checks/validate.js';
import { formatPath } from '../policy/source/source-range.js';
import { isObject } from '../policy/engine/walk.js';
import { translatePolicyLayer } from '../policy/policylayer/translate.js';
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
  const done = new Set<string>();
  for (const file of files) {
    if (done.has(path.resolve(file))) continue;
    if (isTestFile(file)) {
      results.push(await lintTestFile(file, done));
      continue;
    }
    const source = await readPolicySource(file);
    done.add(source.file);
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
    results.push(result(source.file, problems));
    // The policy's test files are part of it: `mcp-guard test` refuses to run broken ones.
    for (const testFile of findTestFiles(source.file)) {
      if (!done.has(testFile)) results.push(await lintTestFile(testFile, done, source.value === undefined ? undefined : translatePolicyLayer(source.value).document));
    }
  }
  return results;
}

/** A test file (`<name>.test.json`), checked against the policy beside it when there is one (in its native form: the rule paths decisions name). */
async function lintTestFile(file: string, done: Set<string>, policy?: unknown): Promise<LintResult> {
  const source = await readPolicySource(file);
  done.add(source.file);
  let doc = policy;
  if (doc === undefined) {
    const policyFile = findPolicyFor(source.file);
    if (policyFile) doc = translatePolicyLayer((await readPolicySource(policyFile)).value).document;
  }
  return result(source.file, validateTestSource(source, doc));
}

function result(file: string, problems: PolicyProblem[]): LintResult {
  return {
    file,
    problems,
    errorCount: problems.filter((p) => p.severity === 'error').length,
    warningCount: problems.filter((p) => p.severity === 'warning').length,
    infoCount: problems.filter((p) => p.severity === 'info').length,
  };
}
