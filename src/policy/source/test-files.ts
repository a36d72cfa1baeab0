import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a policy's test cases live besides its `tests` key (SPEC §10): a file beside it named
 * after it, `<name>.test.json` (or `.yaml`, `.yml`), where `<name>` is the policy's file name
 * without its extension — `python-venv.policy.test.json` for `python-venv.policy.json`. For a
 * `<stem>.policy.*` file, `<stem>.test.*` is accepted too (`python-venv.test.json`).
 */

const TEST_EXTENSIONS = ['.json', '.yaml', '.yml'];
const POLICY_EXTENSIONS = ['.json', '.yaml', '.yml'];

/** Whether a file name is a test file's (`*.test.json`, `*.test.yaml`, `*.test.yml`). */
export function isTestFile(file: string): boolean {
  return /\.test\.(json|ya?ml)$/i.test(path.basename(file));
}

/** The names a policy's test files may have, in the order they run. */
export function testFileNames(policyFile: string): string[] {
  const dir = path.dirname(policyFile);
  const base = path.basename(policyFile);
  const ext = path.extname(base);
  const stem = ext === '' || ext === base ? base : base.slice(0, -ext.length);
  const stems = [stem];
  if (stem.endsWith('.policy') && stem !== '.policy') stems.push(stem.slice(0, -'.policy'.length));
  return stems.flatMap((s) => TEST_EXTENSIONS.map((e) => path.join(dir, `${s}.test${e}`)));
}

/** The test files that exist beside a policy. */
export function findTestFiles(policyFile: string): string[] {
  return testFileNames(policyFile).filter(isFile);
}

/** The policy files a test file may belong to, most specific first. */
export function policyNamesFor(testFile: string): string[] {
  const dir = path.dirname(testFile);
  const stem = path.basename(testFile).replace(/\.test\.(json|ya?ml)$/i, '');
  return [
    ...POLICY_EXTENSIONS.map((e) => path.join(dir, `${stem}${e}`)),
    path.join(dir, stem),
    ...(stem.endsWith('.policy') ? [] : POLICY_EXTENSIONS.map((e) => path.join(dir, `${stem}.policy${e}`))),
  ];
}

/** The policy beside a test file, or undefined when there is none. */
export function findPolicyFor(testFile: string): string | undefined {
  return policyNamesFor(testFile).find((file) => file !== testFile && isFile(file));
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
