import { GuardError } from '../errors.js';
import { GrantCounters, type GrantCharge } from '../limits/grant-counters.js';
import type { Charge } from '../policy/engine/decision.js';
import { ApprovalStore } from './approvals.js';
import { type Database, openStateDatabase } from './database.js';
import { DocumentTable } from './documents.js';
import { stateUnavailable } from './state-errors.js';
import { type ApprovalStatus, type GrantChargeResult, type GrantEvent, type GrantTicket, type NewApproval, type PendingApproval, type StateStore, type StoredDocument, unrefunded } from './store.js';

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

  constructor(readonly stateDir: string) {
    this.description = `sqlite:${stateDir}`;
  }

  /** The whole batch is one IMMEDIATE transaction (one commit), exact across processes. */
  chargeGrant(grant: string, requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): GrantChargeResult[] {
    if (requests.every((r) => r.length === 0)) return requests.map(() => ({ ok: true, ticket: { events: [] } }));
    return this.use(() => {
      return this.countersFor(grant).chargeBatch(requests, now).map(toResult);
    });
  }

  refundGrant(grant: string, tickets: ReadonlyArray<GrantTicket>): void {
    const events = unrefunded(tickets, this.givenBack).filter((e) => typeof e.ref === 'number');
    if (events.length === 0) return;
    this.use(() => this.countersFor(grant).refund(events));
  }

  grantUsage(grant: string, counter: string, windowMs: number, now: number): number {
    return this.use(() => this.countersFor(grant).used(counter, windowMs, now));
  }

  createApproval(entry: NewApproval): string {
    return this.use(() => this.approvalStore().create(entry));
  }

  approvalStatus(id: string): ApprovalStatus | undefined {
    return this.use(() => this.approvalStore().status(id));
  }

  answerApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, now: number): boolean {
    return this.use(() => this.approvalStore().answer(id, status, now));
  }

  listPendingApprovals(now: number): PendingApproval[] {
    return this.use(() => this.approvalStore().listPending(now));
  }

  readDocument(kind: string, key: string): StoredDocument | undefined {
    return this.use(() => this.documentTable().read(kind, key));
  }

  writeDocument(kind: string, key: string, value: unknown, expectedVersion: number | undefined): number | undefined {
    return this.use(() => this.documentTable().write(kind, key, value, expectedVersion));
  }

  listDocuments(kind: string, keyPrefix: string): StoredDocument[] {
    return this.use(() => this.documentTable().list(kind, keyPrefix));
  }

  close(): void {
    this.closed = true;
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
