// TEMPORARY stand-in written by the lead so the relay can be tested; the policy engineer owns
// this file and replaces it entirely with the real discovery (cosmiconfig).
import { PolicyError } from '../errors.js';

export async function findPolicyFile(opts: { explicit?: string; env: NodeJS.ProcessEnv; cwd: string }): Promise<string> {
  const file = opts.explicit ?? opts.env.MCP_GUARD_POLICY;
  if (!file) throw new PolicyError('no policy found; create one with mcp-guard init or copy one from examples/', [], 'POLICY_NOT_FOUND');
  return file;
}
