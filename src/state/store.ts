import type { Charge } from '../policy/engine/decision.js';

/**
 * Persistent state shared by every mcp-guard process of a grant (SPEC §13): grant counters,
 * pending approvals, and documents such as pins (§12). Two backends implement it: SQLite in the
 * state dir (the default) and Redis. Every method may answer synchronously (SQLite, so the relay
 * keeps its single-tick fast path) or with a promise (Redis); callers handle both.
 *
 * Failures throw (or reject with) a GuardError naming the store in its message, never its
 * password: `STATE_UNAVAILABLE` (unreachable, closed, a database that does not open: refuse the
 * calls that need the store, let the others pass) or `STATE_INSECURE` (a state dir or database
 * other users own or may write: exit 2). Implementations: SqliteStateStore, RedisStateStore;
 * `openStateStore` (open-store.ts) picks one from --state, MCP_GUARD_STATE, the policy's `state`,
 * --state-dir, MCP_GUARD_STATE_DIR.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A request's share of one recorded event. The requests of one batch that charge a counter at the
 * same time are recorded as one event of their summed units (one write per counter and batch, not
 * per request); each keeps where the event is (`ref`, the backend's own) and its own `amount` in it.
 */
export interface GrantEvent {
  readonly ref: string | number;
  readonly amount: number;
}

/**
 * What one successful grant charge recorded, so it can be given back: its share of one event per
 * distinct counter of the request's charges, in the order the counters first appear (the limiter
 * keeps only those of refundable counters). A refund takes exactly these shares out of their
 * events, from the windows the events are still inside; a share already given back gives nothing
 * more (`unrefunded`).
 */
export interface GrantTicket {
  readonly events: ReadonlyArray<GrantEvent>;
}

/**
 * The shares not given back yet, marked as given back now. A share is one object for the life of
 * its ticket in this process, so a ticket refunded twice takes its units out of a shared event once.
 */
export function unrefunded(tickets: ReadonlyArray<GrantTicket>, given: WeakSet<GrantEvent>): GrantEvent[] {
  const events: GrantEvent[] = [];
  for (const ticket of tickets) {
    for (const event of ticket.events) {
      if (given.has(event)) continue;
      given.add(event);
      events.push(event);
    }
  }
  return events;
}

export type GrantChargeResult =
  | { ok: true; ticket: GrantTicket }
  | { ok: false; charge: Charge; retryAfterSeconds: number | undefined };

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

export interface NewApproval {
  tool: string;
  arguments: unknown;
  reason: string | undefined;
  rule: string;
  session: string;
  now: number;
  timeoutMs: number;
}

/** A pending approval as `mcp-guard approvals --json` prints it (SPEC §6). */
export interface PendingApproval {
  id: string;
  tool: string;
  arguments: unknown;
  reason: string | null;
  rule: string;
  session: string;
  requestedAt: string;
  expiresAt: string;
}

export interface StoredDocument {
  key: string;
  value: unknown;
  /** Increases with every write; a write names the version it replaces (compare-and-set). */
  version: number;
}

export interface StateStore {
  /** Names the backend in messages, without secrets: `sqlite:/home/me/.local/state/mcp-guard`, `redis://host:6379/0`. */
  readonly description: string;

  /**
   * Check-and-consume for `scope: "grant"` limits, atomically: the requests are taken in order,
   * each all-or-nothing (every charge of a request has room, then one event per distinct counter
   * is recorded with the request's amount for it), one result per request. A request's refusal
   * does not stop the ones after it. Exact under concurrency across processes and machines.
   */
  chargeGrant(grant: string, requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): MaybePromise<GrantChargeResult[]>;
  /** Gives back what successful charges recorded (only windows the events are still inside change). */
  refundGrant(grant: string, tickets: ReadonlyArray<GrantTicket>): MaybePromise<void>;
  /** Units a counter has used in the window ending at `now` (for `check`, tests and the CLI). */
  grantUsage(grant: string, counter: string, windowMs: number, now: number): MaybePromise<number>;

  createApproval(entry: NewApproval): MaybePromise<string>;
  approvalStatus(id: string): MaybePromise<ApprovalStatus | undefined>;
  /** Moves a pending, unexpired approval to its answer; false when there is no such approval. */
  answerApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, now: number): MaybePromise<boolean>;
  listPendingApprovals(now: number): MaybePromise<PendingApproval[]>;

  /** A document of a kind (`pins`, …) by key, or undefined. */
  readDocument(kind: string, key: string): MaybePromise<StoredDocument | undefined>;
  /**
   * Writes a document if its version is still `expectedVersion` (undefined: it must not exist
   * yet). Returns the new version, or undefined when another writer got there first.
   */
  writeDocument(kind: string, key: string, value: unknown, expectedVersion: number | undefined): MaybePromise<number | undefined>;
  listDocuments(kind: string, keyPrefix: string): MaybePromise<StoredDocument[]>;

  close(): MaybePromise<void>;
}
