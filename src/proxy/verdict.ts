import type { Decision, RefuseDecision } from '../policy/engine/decision.js';
import type { Direction } from '../policy/engine/decide.js';
import type { PinEvent } from '../pins/pin-events.js';
import type { JsonRpcId } from '../protocol/message.js';
import type { DecisionLog } from './decision-log.js';
import type { Log } from './log.js';
import { refusalLine } from './refusal.js';

/**
 * What becomes of one message: the judges (judge-client.ts, judge-server.ts) return it, and
 * `enact` is the one place that turns it into the lines written, the stderr line and the audit
 * record. Nothing else decides or records.
 */
export interface Verdict {
  /** Relay the message onwards: its original bytes (true), this text instead, or nothing (false). */
  forward: boolean | string;
  /** A line back to whoever sent the message (a refusal, a protocol error). */
  reply?: string;
  /** A line for the receiver in its place (the client's -32603 when a server answer is dropped). */
  notify?: string;
  /** The policy's decision, for the audit log and stderr; absent for messages the policy does not judge. */
  judged?: Judged;
  /** A diagnostic about the protocol (not a policy decision). */
  log?: { level: 'warn' | 'debug' | 'error'; message: string };
  /** Definitions that did not match their pins (SPEC §12): hidden, refused or noted. */
  pinEvents?: readonly PinEvent[];
}

export interface Judged {
  direction: Direction;
  method: string;
  id: JsonRpcId | undefined;
  params: Record<string, unknown> | undefined;
  decision: Decision;
  /** The request speaks 2026-07-28 (its refusal says `resultType: "complete"`). */
  modern?: boolean;
  /** More for the audit record (a task's outcome). */
  note?: Record<string, unknown>;
}

export const DROP: Verdict = Object.freeze({ forward: false });
export const RELAY: Verdict = Object.freeze({ forward: true });

/**
 * The verdict for a refused request or notification: the refusal answered (a request) or nothing
 * (a notification), and relayed anyway in a dry run, except what self-protection refuses.
 */
export function refusalVerdict(judged: Omit<Judged, 'decision'>, decision: RefuseDecision, dryRun: boolean): Verdict {
  const enforced = !dryRun || decision.decision === 'protected';
  const full: Judged = { ...judged, decision };
  if (!enforced) return { forward: true, judged: full };
  return judged.id === undefined ? { forward: false, judged: full } : { forward: false, reply: refusalLine(judged.id, judged.method, decision, judged.modern), judged: full };
}

/** `settle`, with pinning's notes added to whatever verdict it gets. */
export function withPinEvents(settle: (verdict: Verdict) => void, events: readonly PinEvent[] | undefined): (verdict: Verdict) => void {
  if (!events || events.length === 0) return settle;
  return (verdict) => settle({ ...verdict, pinEvents: [...(verdict.pinEvents ?? []), ...events] });
}

export class Enactor {
  constructor(
    private readonly decisions: DecisionLog,
    private readonly log: Log,
  ) {}

  /** Records the verdict (audit, stderr) and returns it for the writer. */
  enact(verdict: Verdict): Verdict {
    const { judged } = verdict;
    if (judged && this.decisions.wants(judged.decision)) this.decisions.record(judged.direction, judged.method, judged.id, judged.params, judged.decision, judged.note);
    if (verdict.pinEvents) for (const event of verdict.pinEvents) this.decisions.recordPin(event);
    if (verdict.log) this.log(verdict.log.level, verdict.log.message);
    return verdict;
  }
}
