import { type CounterShare, SlidingWindowCounters } from '../../limits/sliding-window.js';
import { type CompiledLimit, type CompiledPolicy, type CompiledRule, lookup, lookupFolded } from './compile.js';
import { decideMessage, type Direction } from './decide.js';
import type { Decision, Refusal } from './decision.js';
import { rateLimited } from './rate-limited.js';

/**
 * Judging without a session: `check`, `test` and `replay` decide a message the way the relay
 * does — the policy's decision, then its limits charged — on counters held in memory and a clock
 * the caller passes in. Both scopes are simulated in memory: grant counters here stand for the
 * state database's, shared by every simulated session and starting empty, so nothing real is
 * ever read or charged. Pure: no I/O, no clock.
 */

/** One message to judge. */
export interface SimulatedMessage {
  method: string;
  params?: Record<string, unknown> | undefined;
  /** Default `client→server`. */
  direction?: Direction;
  /** The session it belongs to: session-scope limits count per session. Default: one session. */
  session?: string;
}

/** `allowed`, `ask` (the policy asks a person; the simulation asks nobody), or a refusal decision. */
export type DecisionName = 'allowed' | 'ask' | Refusal;

/** What a simulated call consumed, so that it can be given back. */
export interface SimulationTicket {
  session: string;
  sessionEvents: CounterShare[];
  grantEvents: CounterShare[];
}

export interface Simulation {
  /** The final decision: a call whose limits have no room is refused as `rate_limited`. */
  decision: Decision;
  name: DecisionName;
  /** Set when the call consumed units (it was allowed, or asks). */
  ticket: SimulationTicket | undefined;
}

/** In-memory counters for a simulation: one log per session, and one grant log shared by all of them. */
export class SimulatedCounters {
  private readonly sessions = new Map<string, SlidingWindowCounters>();
  readonly grant = new SlidingWindowCounters();

  session(id: string): SlidingWindowCounters {
    let counters = this.sessions.get(id);
    if (!counters) this.sessions.set(id, (counters = new SlidingWindowCounters()));
    return counters;
  }
}

/** Judges one message at `now` (ms on any clock) and charges its limits in `counters`, as the relay would. */
export function simulate(policy: CompiledPolicy, message: SimulatedMessage, counters: SimulatedCounters, now: number): Simulation {
  const decision = decideMessage(policy, message.direction ?? 'client→server', message.method, message.params);
  if (decision.outcome === 'refuse' || decision.charges.length === 0) return { decision, name: decisionName(decision), ticket: undefined };
  const sessionId = message.session ?? '';
  const session = counters.session(sessionId);
  const sessionCharges = decision.charges.filter((c) => c.scope === 'session');
  const grantCharges = decision.charges.filter((c) => c.scope === 'grant');
  // The relay's order: every session limit is checked before the grant counters are touched.
  const full = session.check(sessionCharges, now);
  if (full) return refused(rateLimited(full.charge, full.retryAfterSeconds));
  const grant = counters.grant.tryCharge(grantCharges, now);
  if (!grant.ok) return refused(rateLimited(grant.charge, grant.retryAfterSeconds));
  const ticket = { session: sessionId, sessionEvents: session.record(sessionCharges, now), grantEvents: grant.events };
  return { decision, name: decisionName(decision), ticket };
}

/** Gives back what a simulated call consumed (the relay does so when a person declines). */
export function refundSimulation(counters: SimulatedCounters, ticket: SimulationTicket): void {
  counters.session(ticket.session).refund(ticket.sessionEvents);
  counters.grant.refund(ticket.grantEvents);
}

function refused(decision: Extract<Decision, { outcome: 'refuse' }>): Simulation {
  return { decision, name: decision.decision, ticket: undefined };
}

export function decisionName(decision: Decision): DecisionName {
  return decision.outcome === 'refuse' ? decision.decision : decision.outcome === 'ask' ? 'ask' : 'allowed';
}

/**
 * Whether the policy's decision on a `tools/call` or `prompts/get` of `name` can depend on the
 * call's arguments (an `args` schema, `rules`, or an `increment_from` limit on the way), so that a
 * recorded call without its arguments cannot be judged again. Hidden tools and name variants
 * are refused before the arguments are read. Other methods never read arguments here.
 */
export function readsArguments(policy: CompiledPolicy, method: string, name: unknown): boolean {
  if (method !== 'tools/call' && method !== 'prompts/get') return false;
  if (typeof name !== 'string') return true;
  if (method === 'tools/call' && (lookup(policy.hide, name) || lookupFolded(policy.hide, name))) return false;
  const table = method === 'tools/call' ? policy.tools : policy.prompts;
  const entry = lookup(table, name);
  const folded = lookupFolded(table, name);
  if (folded && folded.key !== entry?.key) return false;
  return entryReads(entry?.value, method === 'tools/call' ? policy.allToolsLimits : [], policy);
}

function entryReads(rule: CompiledRule | undefined, extra: CompiledLimit[], policy: CompiledPolicy): boolean {
  const counts = (limits: CompiledLimit[]) => limits.some((l) => l.incrementFrom !== undefined);
  if (!rule) return policy.default !== 'deny' && counts(extra);
  if (rule.action === 'deny' || rule.action === 'hide') return false;
  return rule.args !== undefined || rule.when.length > 0 || counts(rule.limits) || counts(extra);
}
