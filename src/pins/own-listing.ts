import { randomBytes } from 'node:crypto';
import type { JsonRpcId } from '../protocol/message.js';

export interface OwnListingDeps {
  /** Writes a request line (without its newline) to the server. */
  sendToServer(line: string): void;
  /** One page of the server's answer, with the params of the request it answers. */
  review(params: Record<string, unknown>, result: Record<string, unknown>): void;
}

/** How long mcp-guard waits for the server to list its tools before refusing the calls that wait. */
const TIMEOUT_MS = 30_000;
/** A server that keeps handing out cursors is broken; stop rather than loop forever. */
const MAX_PAGES = 1_000;

/**
 * mcp-guard's own `tools/list` (SPEC §12): when a call arrives before the session has listed
 * anything and nothing is pinned yet, the server's tools are listed (every page) and pinned
 * before the call is judged. The ids carry a random nonce and stay taken until the server
 * answers, so they cannot collide with the client's (a client request that reuses one is
 * refused); the answers are consumed, never relayed.
 */
export class OwnListing {
  private readonly idPrefix = `guard-pins-${randomBytes(6).toString('hex')}-`;
  private sequence = 0;
  /** Requests the server has not answered yet, by id. */
  private readonly inFlight = new Map<string, (answer: Record<string, unknown> | undefined) => void>();
  /** The listing under way: the calls waiting for it. */
  private round: { waiting: Array<(failure: string | undefined) => void>; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(private readonly d: OwnListingDeps) {}

  /**
   * Lists the server's tools, then calls `done` (with why, when it could not). Calls that arrive
   * while a listing is under way wait for the same one. `meta` is the waiting call's `_meta`: in
   * 2026-07-28 sessions it carries the protocol version and capabilities every request needs.
   */
  list(meta: unknown, done: (failure: string | undefined) => void): void {
    if (this.round) {
      this.round.waiting.push(done);
      return;
    }
    const timer = setTimeout(() => this.finish(`the server did not answer within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
    timer.unref();
    this.round = { waiting: [done], timer };
    this.page(this.round, undefined, ownMeta(meta), 0);
  }

  private page(round: NonNullable<OwnListing['round']>, cursor: string | undefined, meta: Record<string, unknown> | undefined, n: number): void {
    const id = `${this.idPrefix}${++this.sequence}`;
    const params: Record<string, unknown> = { ...(cursor === undefined ? {} : { cursor }), ...(meta ? { _meta: meta } : {}) };
    this.inFlight.set(id, (answer) => {
      // A late answer to a listing that already ended is consumed and ignored.
      if (this.round !== round) return;
      if (!answer) return this.finish('its answer could not be read');
      const error = answer.error as { message?: unknown } | undefined;
      if (error) return this.finish(`it answered with an error: ${typeof error.message === 'string' ? error.message : 'no message'}`);
      const result = answer.result as Record<string, unknown> | undefined;
      if (!result || typeof result !== 'object' || !Array.isArray(result.tools)) return this.finish('its answer has no list of tools');
      this.d.review(params, result);
      if (typeof result.nextCursor === 'string' && n + 1 < MAX_PAGES) return this.page(round, result.nextCursor, meta, n + 1);
      this.finish(undefined);
    });
    this.d.sendToServer(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params }));
  }

  ownsId(id: JsonRpcId): boolean {
    return typeof id === 'string' && this.inFlight.has(id);
  }

  takeAnswer(id: JsonRpcId, answer: Record<string, unknown> | undefined): boolean {
    if (typeof id !== 'string') return false;
    const take = this.inFlight.get(id);
    if (!take) return false;
    this.inFlight.delete(id);
    take(answer);
    return true;
  }

  /** Ends the listing under way, if any: its calls are told why. */
  fail(why: string): void {
    this.finish(why);
  }

  private finish(failure: string | undefined): void {
    const round = this.round;
    if (!round) return;
    clearTimeout(round.timer);
    this.round = undefined;
    for (const done of round.waiting) done(failure);
  }
}

/** The call's `_meta` without its progress token: progress for mcp-guard's own request is not the client's. */
function ownMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const { progressToken: _progressToken, ...rest } = meta as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
