import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PolicyError } from '../errors.js';
import type { PolicyProblem } from './problem.js';
import { parsePolicySource, type PolicySource } from './source/source.js';
import type { PolicyDocument } from './engine/types.js';
import { validatePolicy } from './checks/validate.js';
import { translatePolicyLayer } from './policylayer/translate.js';

export interface LoadedPolicy {
  /** Absolute path of the policy file. */
  file: string;
  document: PolicyDocument;
  warnings: PolicyProblem[];
}

/**
 * Reads, parses and validates a policy file, and gives its native form (PolicyLayer's
 * constructs translated, src/policy/policylayer/); any error (syntax, schema, an args schema that is
 * not JSON Schema...) throws a PolicyError listing every problem, so `run` fails closed with
 * exactly the errors `lint` reports.
 */
export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  const source = await readPolicySource(file);
  const problems = await validatePolicy(source);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyError(summarise(source.file, errors), problems);
  // PolicyLayer's require/deny_if and "args." paths are judged as their native form, the one lint --fix writes.
  const native = translatePolicyLayer(source.value).document;
  return { file: source.file, document: withoutMapComments(native as PolicyDocument), warnings: problems.filter((p) => p.severity === 'warning') };
}

/** One line: the first error as `file:line:col message (rule)`, and how many more. */
function summarise(file: string, errors: PolicyProblem[]): string {
  const first = errors[0]!;
  const more = errors.length - 1;
  return `${first.file}:${first.line}:${first.column} ${first.message} (${first.ruleId})${more > 0 ? `, and ${more} more; run mcp-guard lint ${file}` : ''}`;
}

/** A policy is data: a file that only JavaScript can read would have to run code, and is refused. */
const CODE_FILE = /\.[cm]?[jt]s$/i;

/** Reads a policy file (JSON, or YAML) into a positioned source. */
export async function readPolicySource(file: string): Promise<PolicySource> {
  const absolute = path.resolve(file);
  if (CODE_FILE.test(absolute)) {
    throw new PolicyError(`${absolute} is a program, not a policy: mcp-guard never runs code to read a policy; write it as JSON or YAML (mcp-guard.config.json)`, [], 'POLICY_UNREADABLE');
  }
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new PolicyError(`policy file not found: ${absolute}`, [], 'POLICY_NOT_FOUND');
    }
    throw new PolicyError(`cannot read policy file ${absolute}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`, [], 'POLICY_UNREADABLE');
  }
  return parsePolicySource(text, absolute);
}

/**
 * `$comment` is allowed in every object, including the name maps, where it is a note and not a
 * tool, resource, prompt or method: the engine gets the maps without it.
 */
function withoutMapComments(doc: PolicyDocument): PolicyDocument {
  const out: PolicyDocument = { ...doc };
  for (const key of ['tools', 'resources', 'prompts', 'methods'] as const) {
    const map = doc[key] as Record<string, unknown> | undefined;
    if (map && Object.hasOwn(map, '$comment')) {
      const { $comment: _note, ...rest } = map;
      (out as unknown as Record<string, unknown>)[key] = rest;
    }
  }
  return out;
}
