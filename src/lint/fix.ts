import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PolicyError } from '../errors.js';
import { readPolicySource } from '../policy/load.js';
import { validatePolicy } from '../policy/checks/validate.js';
import { type PolicyLayerChange, translatePolicyLayer } from '../policy/policylayer/translate.js';
import { parsePolicySource, type PolicySource } from '../policy/source/source.js';
import { policyJson } from './json-text.js';

/** What `lint --fix` did to one file. */
export interface FixResult {
  /** Absolute path, as given (a symlink is followed for the write, not reported). */
  file: string;
  /** What was rewritten; empty when there was nothing to fix (or the file was not fixed). */
  changes: PolicyLayerChange[];
  /** Why the file was left alone, when it has something to fix but could not be fixed safely. */
  skipped?: string;
}

/**
 * `lint --fix`: rewrites each file's PolicyLayer constructs into the native format, with the
 * same translation `run` applies when it loads the file (src/policy/policylayer/translate.ts),
 * so every decision stays the same. JSON is written as JSON (2-space indent), YAML as YAML (the
 * rest of the document, comments included, as it was). A file with errors is not touched: what
 * it means is not settled. Writes go to a temporary file that is renamed over the original.
 */
export async function fixFiles(files: string[]): Promise<FixResult[]> {
  const results: FixResult[] = [];
  for (const file of files) {
    const source = await readPolicySource(file);
    const translation = translatePolicyLayer(source.value);
    if (source.value === undefined || translation.replacements.length === 0) {
      results.push({ file: source.file, changes: [] });
      continue;
    }
    const errors = (await validatePolicy(source)).filter((p) => p.severity === 'error').length;
    if (errors > 0) {
      results.push({ file: source.file, changes: [], skipped: `not fixed: it has ${errors} error${errors === 1 ? '' : 's'} (below); correct ${errors === 1 ? 'it' : 'them'} first` });
      continue;
    }
    const target = await realpath(source.file);
    const text = source.format === 'json' ? policyJson(translation.document) : await rewriteYaml(await readFile(target, 'utf8'), translation.replacements);
    // The rewrite must load as the native policy it was computed to be, or nothing is written.
    const check = await reparsed(text, source);
    if (JSON.stringify(check.value) !== JSON.stringify(translation.document) || (await validatePolicy(check)).some((p) => p.severity === 'error')) {
      throw new PolicyError(`internal: lint --fix produced a policy that does not load as intended; ${source.file} is unchanged`);
    }
    await writeAtomically(target, text);
    results.push({ file: source.file, changes: translation.changes });
  }
  return results;
}

async function rewriteYaml(text: string, replacements: Array<{ path: ReadonlyArray<string | number>; value: unknown }>): Promise<string> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  for (const { path: at, value } of replacements) doc.setIn([...at], value);
  return doc.toString();
}

function reparsed(text: string, source: PolicySource): Promise<PolicySource> {
  return parsePolicySource(text, source.file, { format: source.format });
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.mcp-guard-fix-${process.pid}`);
  const { mode } = await stat(file);
  try {
    await writeFile(temp, text, { mode });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new PolicyError(`cannot write ${file}: ${(error as Error).message}`, [], 'POLICY_UNREADABLE');
  }
}
