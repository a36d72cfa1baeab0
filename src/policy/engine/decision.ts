/** The value every judgement produces: the relay acts on it, the audit log records it. */

import type { ApprovalVia } from './types.js';

export type Refusal =
  | 'denied'
  | 'invalid_arguments'
  | 'rate_limited'
  | 'approval_declined'
  | 'approval_timeout'
  | 'approval_unavailable'
  | 'protected'
  | 'unpinned';

/** One limit a call must fit in, and how much of it the call uses. */
export interface Charge {
  /** Counter identity; limits naming the same counter share one event log. */
  counter: string;
  scope: 'session' | 'grant';
  windowMs: number;
  max: number;
  amount: number;
  /** Policy path of the limit, e.g. `tools.python_venv.limits[0]`. */
  rule: string;
  /** Whether an upstream JSON-RPC error gives the units back (a limit's `refund`). */
  refundable: boolean;
}

export type Decision =
  | { outcome: 'allow'; rule: string; charges: readonly Charge[] }
  | { outcome: 'ask'; rule: string; reason: string | undefined; charges: readonly Charge[]; via: ApprovalVia }
  | { outcome: 'refuse'; decision: Refusal; rule: string; reason: string; retryAfterSeconds?: number };

export type RefuseDecision = Extract<Decision, { outcome: 'refuse' }>;

export const ALLOW_ALWAYS: Decision = Object.freeze({ outcome: 'allow', rule: 'lifecycle', charges: [] }) as Decision;

export function refuse(decision: Refusal, rule: string, reason: string, retryAfterSeconds?: number): RefuseDecision {
  return retryAfterSeconds === undefined
    ? { outcome: 'refuse', decision, rule, reason }
    : { outcome: 'refuse', decision, rule, reason, retryAfterSeconds };
}
