import { POLICY_RULES, type RuleMeta } from '../policy/checks/policy-rules.js';
import { SERVER_RULES } from './server-rules.js';

/** Every rule lint can report, policy checks first: the README table and SARIF's rules[] come from here. */
export const LINT_RULES: readonly RuleMeta[] = [...POLICY_RULES, ...SERVER_RULES.map((r) => r.meta)];
