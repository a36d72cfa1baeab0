import type { Decision } from '../policy/engine/decision.js';
import { errorLine, type JsonRpcId, POLICY_REFUSED, resultLine } from '../protocol/message.js';

/** The answer to a refused request (SPEC §4): a tool result for `tools/call`, a -31403 error otherwise. */
export function refusalLine(id: JsonRpcId, method: string, decision: Extract<Decision, { outcome: 'refuse' }>): string {
  const meta: Record<string, unknown> = { decision: decision.decision, rule: decision.rule, reason: decision.reason };
  if (decision.retryAfterSeconds !== undefined) meta.retryAfterSeconds = decision.retryAfterSeconds;
  // A rate-limit reason already says when to try again; retryAfterSeconds carries it as data.
  const text = `mcp-guard: ${decision.reason}`;
  if (method === 'tools/call') {
    return resultLine(id, { content: [{ type: 'text', text }], isError: true, _meta: { 'mcp-guard': meta } });
  }
  return errorLine(id, POLICY_REFUSED, text, meta);
}
