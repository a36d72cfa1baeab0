import type { Ticket } from '../limits/limiter.js';
import type { JsonRpcId } from '../protocol/message.js';

/**
 * Where a client request stands, from the moment it is judged until the server answers it or
 * the session ends. An id stays in use all that time, also after `notifications/cancelled`
 * (SPEC §4): a new request that reuses it is refused, and the server's late answer to the
 * cancelled one is dropped and gives nothing back — otherwise it would answer, and refund, the
 * new request.
 */
export type RequestState =
  /** Being judged: waiting for the state store to count its units. */
  | 'judging'
  /** Waiting for a person's answer. */
  | 'approval'
  /** Relayed to the server. */
  | 'in-flight'
  /** Relayed, then cancelled by the client: the answer will be dropped. */
  | 'cancelled';

export interface PendingRequest {
  method: string;
  state: RequestState;
  /** What the call's limits took; given back if the server answers with a JSON-RPC error. */
  ticket: Ticket | undefined;
  /** Ends an approval wait. */
  abort?: AbortController;
  /** The request's params, for the answer's judging (e.g. which tool a task belongs to). */
  params?: Record<string, unknown>;
  /** The client cancelled it while its units were being counted: once relayed it is cancelled. */
  cancelledWhileJudging?: boolean;
  /** It spoke 2026-07-28 (its answers are judged as that revision's). */
  modern?: boolean;
}

/**
 * Requests a client keeps waiting are bounded: past this, new ones are refused, so a client that
 * cancels requests a silent server never answers cannot grow the table without end.
 */
export const MAX_PENDING = 100_000;

export class PendingRequests {
  private readonly table = new Map<JsonRpcId, PendingRequest>();

  get size(): number {
    return this.table.size;
  }

  has(id: JsonRpcId): boolean {
    return this.table.has(id);
  }

  get(id: JsonRpcId): PendingRequest | undefined {
    return this.table.get(id);
  }

  /** Starts tracking a request; false when the id is in use or the table is full. */
  open(id: JsonRpcId, method: string, params: Record<string, unknown> | undefined): boolean {
    if (this.table.has(id) || this.table.size >= MAX_PENDING) return false;
    this.table.set(id, { method, state: 'judging', ticket: undefined, params });
    return true;
  }

  /** Forgets a request that was refused or answered by mcp-guard. */
  close(id: JsonRpcId): void {
    this.table.delete(id);
  }

  /** The server answered: the request is done, whatever state it was in. */
  take(id: JsonRpcId): PendingRequest | undefined {
    const entry = this.table.get(id);
    if (entry) this.table.delete(id);
    return entry;
  }

  /** Every request still open (the session is ending); the table is emptied. */
  drain(): Array<[JsonRpcId, PendingRequest]> {
    const all = [...this.table];
    this.table.clear();
    return all;
  }

  /** The requests still open, with their ids. */
  entries(): IterableIterator<[JsonRpcId, PendingRequest]> {
    return this.table.entries();
  }

  /** Whether any relayed request is one of these methods (its answer will need judging whole). */
  anyInFlight(methods: ReadonlySet<string>): boolean {
    for (const p of this.table.values()) if (p.state === 'in-flight' && methods.has(p.method)) return true;
    return false;
  }
}
