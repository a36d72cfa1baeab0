import { randomBytes } from 'node:crypto';
import type { ApprovalVia } from '../policy/engine/types.js';
import type { StateStore } from '../state/store.js';

export type ApprovalOutcome = 'accept' | 'decline' | 'timeout' | 'unavailable' | 'cancelled';

export interface ApprovalRequest {
  tool: string;
  arguments: unknown;
  reason: string | undefined;
  rule: string;
  timeoutMs: number;
  /** Who may answer (SPEC §6 `approval.via`). */
  via: ApprovalVia;
}

export interface ApprovalDeps {
  /** Writes one line to the client (mcp-guard's own requests). */
  sendToClient(line: string): void;
  /** Where terminal approvals wait (the state store: SQLite or Redis). */
  store: Pick<StateStore, 'createApproval' | 'approvalStatus' | 'answerApproval'>;
  /** How a person at a terminal names that store: ` --state-dir "…"` or ` --state "redis://…"`. */
  storeFlag: string;
  session: string;
  /** A diagnostic for the person at the terminal (stderr). */
  notify(message: string): void;
  now(): number;
}

/**
 * Asks a person before a call goes through (SPEC §6): by elicitation when the client declared the
 * capability, otherwise as a pending approval in the state database answered with
 * `mcp-guard approve|deny <id>` from any terminal.
 */
export class ApprovalBroker {
  /** Set when the client's `initialize` declared `elicitation`. */
  clientCanElicit = false;
  private readonly waiting = new Map<string, (response: Record<string, unknown>) => void>();
  // Our request ids carry a random nonce, so they cannot collide with ids the server chooses.
  private readonly idPrefix = `mcp-guard-${randomBytes(6).toString('hex')}-`;
  private sequence = 0;
  /** Terminal approvals this session is waiting on. */
  private readonly terminalPending = new Set<string>();

  constructor(private readonly deps: ApprovalDeps) {}

  async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome> {
    if (request.via === 'terminal') return this.askByTerminal(request, signal);
    if (this.clientCanElicit) return this.askByElicitation(request, signal);
    if (request.via === 'client') return 'unavailable';
    return this.askByTerminal(request, signal);
  }

  /** Consumes the client's answer to one of our own requests; false when the id is not ours. */
  takeResponse(id: unknown, response: Record<string, unknown>): boolean {
    if (typeof id !== 'string' || !id.startsWith(this.idPrefix)) return false;
    const resolve = this.waiting.get(id);
    // An answer to one of our ids that is no longer waiting is still ours: never relay it.
    if (resolve) {
      this.waiting.delete(id);
      resolve(response);
    }
    return true;
  }

  /** Ends every wait (the session is closing); pending terminal approvals are marked cancelled now, while the database is open. */
  cancelAll(): void {
    for (const [id, resolve] of this.waiting) {
      this.waiting.delete(id);
      resolve({ error: { code: -32603, message: 'session closed' } });
    }
    for (const id of this.terminalPending) this.settle(id, 'cancelled');
    this.terminalPending.clear();
  }

  /** Records how a terminal approval ended; the store may already be closed when a session ends. */
  private settle(id: string, status: 'expired' | 'cancelled'): void {
    try {
      // Time 0 matches the row even after it expired; the CLI can no longer answer it.
      const done = this.deps.store.answerApproval(id, status, 0);
      if (done instanceof Promise) done.catch(() => undefined);
    } catch {
      // Nothing to record into: the row expires on its own.
    }
  }

  private askByElicitation(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome> {
    const id = `${this.idPrefix}${++this.sequence}`;
    const message =
      `An agent wants to call the tool "${request.tool}"` +
      `${request.reason ? ` (${request.reason})` : ''} with arguments ${JSON.stringify(request.arguments ?? {})}. Allow this call?`;
    return new Promise<ApprovalOutcome>((resolve) => {
      const finish = (outcome: ApprovalOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(id);
        resolve(outcome);
      };
      const onAbort = () => finish('cancelled');
      const timer = setTimeout(() => {
        // Tell the client to stop asking; its late answer is consumed, never relayed.
        this.deps.sendToClient(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'approval timed out' } })}\n`);
        finish('timeout');
      }, request.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, (response) => {
        const result = response.result as { action?: unknown } | undefined;
        if (response.error || !result) return finish('unavailable');
        finish(result.action === 'accept' ? 'accept' : 'decline');
      });
      this.deps.sendToClient(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'elicitation/create',
          params: { message, requestedSchema: { type: 'object', properties: {} } },
        })}\n`,
      );
    });
  }

  private async askByTerminal(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome> {
    const store = this.deps.store;
    let id: string;
    try {
      id = await store.createApproval({ tool: request.tool, arguments: request.arguments, reason: request.reason, rule: request.rule, timeoutMs: request.timeoutMs, session: this.deps.session, now: this.deps.now() });
    } catch (error) {
      this.deps.notify(`cannot record an approval request: ${(error as Error).message}`);
      return 'unavailable';
    }
    const seconds = Math.round(request.timeoutMs / 1000);
    const stateFlag = this.deps.storeFlag;
    this.deps.notify(
      `approval needed for tool "${request.tool}" (${id})${request.reason ? `: ${request.reason}` : ''}; ` +
        `answer within ${seconds} s with: mcp-guard approve ${id}${stateFlag}   or: mcp-guard deny ${id}${stateFlag}`,
    );
    const deadline = this.deps.now() + request.timeoutMs;
    this.terminalPending.add(id);
    try {
      while (!signal.aborted) {
        const status = await store.approvalStatus(id);
        if (status === 'approved') return 'accept';
        if (status === 'denied') return 'decline';
        if (status !== 'pending') return 'cancelled';
        if (this.deps.now() >= deadline) {
          this.settle(id, 'expired');
          return 'timeout';
        }
        await delay(150, signal);
      }
      this.settle(id, 'cancelled');
      return 'cancelled';
    } catch {
      // The database went away under us (the session is closing).
      return 'cancelled';
    } finally {
      this.terminalPending.delete(id);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
