import type { Decision } from '../policy/engine/decision.js';
import { errorLine, type JsonRpcId, POLICY_REFUSED, resultLine } from '../protocol/message.js';

/**
 * The answer to a refused request (SPEC §4): a tool result for `tools/call`, a -31403 error
 * otherwise. In a 2026-07-28 session a result says it is the complete one (`resultType`).
 */
export function refusalLine(id: JsonRpcId, method: string, decision: Extract<Decision, { outcome: 'refuse' }>, modern = false): string {
  const meta: Record<string, unknown> = { decision: decision.decision, rule: decision.rule, reason: decision.reason };
  if (decision.retryAfterSeconds !== undefined) meta.retryAfterSeconds = decision.retryAfterSeconds;
  // A rate-limit reason already says when to try again; retryAfterSeconds carries it as data.
  const text = `mcp-guard: ${decision.reason}`;
  if (method === 'tools/call') {
    const result: Record<string, unknown> = { content: [{ type: 'text', text }], isError: true, _meta: { 'mcp-guard': meta } };
    if (modern) result.resultType = 'complete';
    return resultLine(id, result);
  }
  return errorLine(id, POLICY_REFUSED, text, meta);
}
