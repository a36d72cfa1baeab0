import type { RefuseDecision } from '../policy/engine/decision.js';
import type { Direction } from '../policy/engine/decide.js';
import type { JsonRpcId } from '../protocol/message.js';
import type { PinKind } from './definitions.js';

/**
 * A definition that did not match its pin, as the audit log and stderr record it (SPEC §12): hidden
 * from a list or refused (`unpinned`, under "block"), or let through with a note (under "warn").
 */
export interface PinEvent {
  direction: Direction;
  method: string;
  id: JsonRpcId | undefined;
  kind: PinKind;
  name: string;
  decision: 'unpinned' | 'allowed';
  /** For the audit log (and the agent, in a refusal). */
  reason: string;
  /** For the person at stderr, once per definition and session; undefined when it was already said. */
  message: string | undefined;
}

/** What pinning says about a call: nothing, a refusal, or notes that go with letting it through. */
export interface CallCheck {
  refusal?: RefuseDecision;
  events?: PinEvent[];
}

/** What pinning says about a list result: names to remove from it, and what to record. */
export interface ListReview {
  hide: ReadonlySet<string>;
  events: PinEvent[];
}
