import path from 'node:path';
import { PolicyError, UsageError } from '../errors.js';
import type { PolicyProblem } from '../policy/problem.js';
import { loadCompiledPolicy } from '../policy/compile-file.js';
import { type CaseResult, runTestCases } from '../policy/engine/policy-tests.js';
import type { PolicyTestCase } from '../policy/engine/types.js';
import { readPolicySource } from '../policy/load.js';
import { validateTestSource } from '../policy/checks/test-cases.js';
import { findPolicyFile, SEARCH_PLACES } from '../policy/source/discover.js';
import type { PolicySource } from '../policy/source/source.js';
import { findPolicyFor, findTestFiles, isTestFile } from '../policy/source/test-files.js';

/** One case's result, with where the case is written. */
export interface CaseReport extends CaseResult {
  file: string;
  line: number;
  column: number;
}

/** The cases of one list: the policy's `tests` key, or one test file. */
export interface SuiteReport {
  /** The file the cases are in (absolute). */
  file: string;
  cases: CaseReport[];
}

export interface PolicyReport {
  /** The policy file (absolute). */
  policy: string;
  suites: SuiteReport[];
}

export interface TestRun {
  policies: PolicyReport[];
  passed: number;
  failed: number;
  /** Lint warnings of the policies and test files (errors stop the run instead). */
  warnings: PolicyProblem[];
  /** Arguments that are not policies (`demo.mjs` in `examples/*`), left out. */
  skipped: string[];
}

/**
 * `mcp-guard test`: finds each policy's test cases (its `tests` key and the test files beside
 * it), checks them as lint does, and runs them. Each list runs on its own fresh counters and
 * clock. A policy or test file with errors, or a test file with no policy beside it, throws
 * (exit 2); failing cases are results, not errors.
 */
export async function runPolicyTests(options: { files: string[]; cwd: string; env: NodeJS.ProcessEnv }): Promise<TestRun> {
  const { policies, skipped } = options.files.length > 0 ? policiesOf(options.files, options.cwd) : { policies: [await findPolicyFile(options)], skipped: [] };
  const run: TestRun = { policies: [], passed: 0, failed: 0, warnings: [], skipped };
  for (const file of policies) {
    const { loaded, policy } = await loadCompiledPolicy(file);
    run.warnings.push(...loaded.warnings);
    const report: PolicyReport = { policy: loaded.file, suites: [] };
    const own = loaded.document.tests ?? [];
    if (own.length > 0) report.suites.push(suite(loaded.file, runTestCases(policy, own), await readPolicySource(loaded.file)));
    for (const testFile of findTestFiles(loaded.file)) {
      const source = await readPolicySource(testFile);
      const problems = validateTestSource(source, loaded.document);
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length > 0) throw new PolicyError(summarise(errors), problems, 'TESTS_INVALID');
      run.warnings.push(...problems);
      const cases = (Array.isArray(source.value) ? source.value : (source.value as { tests: unknown[] }).tests) as PolicyTestCase[];
      report.suites.push(suite(source.file, runTestCases(policy, cases), source, Array.isArray(source.value)));
    }
    for (const s of report.suites) {
      for (const c of s.cases) {
        if (c.passed) run.passed++;
        else run.failed++;
      }
    }
    run.policies.push(report);
  }
  return run;
}

function suite(file: string, results: CaseResult[], source: PolicySource, bareList = false): SuiteReport {
  return {
    file,
    cases: results.map((r) => {
      const { line, column } = source.locate(bareList ? [r.index] : ['tests', r.index], 'value');
      return { ...r, file, line, column };
    }),
  };
}

/** The policies the arguments name: policies as given, test files by the policy beside them. */
function policiesOf(files: string[], cwd: string): { policies: string[]; skipped: string[] } {
  const policies: string[] = [];
  const skipped: string[] = [];
  const add = (file: string) => {
    if (!policies.includes(file)) policies.push(file);
  };
  for (const given of files) {
    const file = path.resolve(cwd, given);
    if (isTestFile(file)) {
      const policy = findPolicyFor(file);
      if (!policy) throw new UsageError(`${given}: no policy beside this test file (for x.test.json it looks for x.json, x.yaml, x.yml or x.policy.json); pass the policy instead`);
      add(policy);
    } else if (isPolicyName(file)) {
      add(file);
    } else {
      skipped.push(given);
    }
  }
  if (policies.length === 0) throw new UsageError(`no policy among ${files.join(', ')}: mcp-guard test reads JSON and YAML policy files`);
  return { policies, skipped };
}

/** JSON, YAML, an extensionless rc file, or one of the names policy discovery finds. */
function isPolicyName(file: string): boolean {
  const base = path.basename(file);
  const ext = path.extname(base).toLowerCase();
  return ext === '.json' || ext === '.yaml' || ext === '.yml' || ext === '' || SEARCH_PLACES.some((p) => path.basename(p) === base);
}

function summarise(errors: PolicyProblem[]): string {
  const first = errors[0]!;
  const more = errors.length - 1;
  return `${first.file}:${first.line}:${first.column} ${first.message} (${first.ruleId})${more > 0 ? `, and ${more} more; run mcp-guard lint ${first.file}` : ''}`;
}
