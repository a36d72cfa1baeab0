// TEMPORARY stand-in written by the lead so the relay can be tested; the policy engineer owns
// this file and replaces it entirely with the real loader (positions, validation, YAML).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PolicyError, type PolicyProblem } from '../errors.js';
import type { PolicyDocument } from './types.js';

export interface LoadedPolicy {
  file: string;
  document: PolicyDocument;
  warnings: PolicyProblem[];
}

export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch {
    throw new PolicyError(`policy file not found: ${abs}`, [], 'POLICY_NOT_FOUND');
  }
  let document: PolicyDocument;
  try {
    document = JSON.parse(text) as PolicyDocument;
  } catch (e) {
    throw new PolicyError(`${abs}: ${(e as Error).message}`);
  }
  const known = ['$schema', '$comment', 'version', 'description', 'default', 'hide', 'all_tools', 'tools', 'resources', 'prompts', 'methods', 'audit', 'approval'];
  for (const k of Object.keys(document)) if (!known.includes(k)) throw new PolicyError(`${abs}: unknown key ${k}`);
  if (document.default && !['allow', 'deny', 'ask'].includes(document.default)) throw new PolicyError(`${abs}: bad default`);
  for (const [, r] of Object.entries(document.tools ?? {})) if (typeof r === 'object' && Object.keys(r).some((k) => !['action', 'reason', 'limits', 'rate_limit', 'args', 'rules', '$comment'].includes(k))) throw new PolicyError(`${abs}: unknown key`);
  return { file: abs, document, warnings: [] };
}
