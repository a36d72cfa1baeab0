import { GuardError } from '../errors.js';
import { GrantCounters, type GrantCharge } from '../limits/grant-counters.js';
import type { Charge } from '../policy/engine/decision.js';
import { ApprovalStore } from './approvals.js';
import { type Database, openStateDatabase } from './database.js';
import { DocumentTable } from './documents.js';
import { stateUnavailable } from './state-errors.js';
import { type ApprovalStatus, type GrantChargeResult, type GrantEvent, type GrantTicket, type NewApproval, type PendingApproval, type StateStore, type StoredDocument, unrefunded } from './store.js';

/** Writes pause for between one and two of these before the WAL is checkpointed. */
export const CHECKPOINT_IDLE_MS = 100;

/**
 * The default backend: the SQLite database in the state dir, shared by every mcp-guard process
 * of the machine. Every method answers synchronously, and the database is opened on first use
 * (a session with no grant limits and no approvals never loads SQLite).
 */
export class SqliteStateStore implements StateStore {
  readonly description: string;
  private db: Database | undefined;
  private closed = false;
  private readonly counters = new Map<string, GrantCounters>();
  private approvals: ApprovalStore | undefined;
  private documents: DocumentTable | undefined;
  private readonly givenBack = new WeakSet<GrantEvent>();
  /** Writes so far, and as many as there were when the checkpoint timer last looked. */
  private writes = 0;
  private writesSeen = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;

  constructor(readonly stateDir: string) {
    this.description = `sqlite:${stateDir}`;
  }

  /** The whole batch is one IMMEDIATE transaction (one commit), exact across processes. */
  chargeGrant(grant: string, requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): GrantChargeResult[] {
    if (requests.every((r) => r.length === 0)) return requests.map(() => ({ ok: true, ticket: { events: [] } }));
    return this.write(() => this.countersFor(grant).chargeBatch(requests, now).map(toResult));
  }

  refundGrant(grant: string, tickets: ReadonlyArray<GrantTicket>): void {
    const events = unrefunded(tickets, this.givenBack).filter((e) => typeof e.ref === 'number');
    if (events.length === 0) return;
    this.write(() => this.countersFor(grant).refund(events));
  }

  grantUsage(grant: string, counter: string, windowMs: number, now: number): number {
    return this.use(() => this.countersFor(grant).used(counter, windowMs, now));
  }

  createApproval(entry: NewApproval): string {
    return this.write(() => this.approvalStore().create(entry));
  }

  approvalStatus(id: string): ApprovalStatus | undefined {
    return this.use(() => this.approvalStore().status(id));
  }

  answerApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, now: number): boolean {
    return this.write(() => this.approvalStore().answer(id, status, now));
  }

  listPendingApprovals(now: number): PendingApproval[] {
    return this.use(() => this.approvalStore().listPending(now));
  }

  readDocument(kind: string, key: string): StoredDocument | undefined {
    return this.use(() => this.documentTable().read(kind, key));
  }

  writeDocument(kind: string, key: string, value: unknown, expectedVersion: number | undefined): number | undefined {
    return this.write(() => this.documentTable().write(kind, key, value, expectedVersion));
  }

  listDocuments(kind: string, keyPrefix: string): StoredDocument[] {
    return this.use(() => this.documentTable().list(kind, keyPrefix));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.db?.close();
    this.db = undefined;
  }

  private database(): Database {
    if (this.closed) throw stateUnavailable(this.description, 'it is closed');
    return (this.db ??= openStateDatabase(this.stateDir));
  }

  private countersFor(grant: string): GrantCounters {
    let counters = this.counters.get(grant);
    if (!counters) this.counters.set(grant, (counters = new GrantCounters(this.database(), grant)));
    return counters;
  }

  private approvalStore(): ApprovalStore {
    return (this.approvals ??= new ApprovalStore(this.database()));
  }

  private documentTable(): DocumentTable {
    return (this.documents ??= new DocumentTable(this.database()));
  }

  /** `use` for a method that may write: the WAL is checkpointed once writes pause. */
  private write<T>(fn: () => T): T {
    const result = this.use(fn);
    this.writes++;
    if (!this.checkpointTimer) {
      this.writesSeen = this.writes;
      this.checkpointTimer = setTimeout(() => this.checkpointIfIdle(), CHECKPOINT_IDLE_MS);
      // Never what keeps the process alive: closing the database checkpoints too.
      this.checkpointTimer.unref();
    }
    return result;
  }

  /**
   * Runs a PASSIVE checkpoint (it never waits for other connections) if nothing was written since
   * the timer was set, or sets it again. So a burst of calls commits without the checkpoint's
   * fsyncs, which happen in the pause after it; one that never pauses checkpoints at
   * WAL_AUTOCHECKPOINT_PAGES. A checkpoint that fails is left to the next one.
   */
  private checkpointIfIdle(): void {
    if (this.writes !== this.writesSeen) {
      this.writesSeen = this.writes;
      this.checkpointTimer?.refresh();
      return;
    }
    this.checkpointTimer = undefined;
    if (this.closed || !this.db) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Best effort: a commit past the bound, or closing the database, checkpoints anyway.
    }
  }

  /** Errors name the store: a GuardError (a database that does not open, an insecure dir) as it is, anything else wrapped. */
  private use<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof GuardError) throw error;
      throw stateUnavailable(this.description, (error as Error).message, error);
    }
  }
}

function toResult(charge: GrantCharge): GrantChargeResult {
  return charge.ok ? { ok: true, ticket: { events: charge.events } } : charge;
}
