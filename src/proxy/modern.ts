import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ticket } from '../limits/limiter.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { decideMessage } from '../policy/engine/decide.js';
import type { RefuseDecision } from '../policy/engine/decision.js';

/**
 * The 2026-07-28 revision (SPEC §4, §6): requests carry their protocol version and the client's
 * capabilities in `params._meta`; servers ask the client for input with an `input_required`
 * result (multi-round-trip requests, MRTR) instead of server→client requests, and the client
 * retries the call with `inputResponses` and the server's `requestState`.
 */
export const MODERN_REVISION = '2026-07-28';
const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';

/** The requests a server may answer with `input_required`. */
export const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** Whether a request says it speaks 2026-07-28 or later (revisions are dates: they compare as strings). */
export function isModernRequest(params: Record<string, unknown> | undefined): boolean {
  const version = metaOf(params)?.[VERSION_KEY];
  return typeof version === 'string' && version >= MODERN_REVISION;
}

/** Whether the client declared, in this request's `_meta`, that it can answer elicitations. */
export function canElicitIn(params: Record<string, unknown> | undefined): boolean {
  const caps = metaOf(params)?.[CAPABILITIES_KEY];
  if (caps === null || typeof caps !== 'object') return false;
  const elicitation = (caps as Record<string, unknown>).elicitation;
  return elicitation !== undefined && elicitation !== null;
}

function metaOf(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params?._meta;
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined;
}

/**
 * Judges each entry of an `inputRequests` map as the server→client request it stands for
 * (`methods` rules for sampling/createMessage, elicitation/create, roots/list, …): the first
 * refused one, or undefined when every entry may reach the client. A map that is not one is refused.
 */
export function judgeInputRequests(policy: CompiledPolicy, inputRequests: unknown): RefuseDecision | undefined {
  if (inputRequests === undefined) return undefined;
  if (inputRequests === null || typeof inputRequests !== 'object' || Array.isArray(inputRequests)) {
    return { outcome: 'refuse', decision: 'denied', rule: 'methods', reason: 'the server asked for input in a form mcp-guard cannot judge (inputRequests is not a map)' };
  }
  for (const entry of Object.values(inputRequests)) {
    const request = entry as { method?: unknown; params?: unknown } | null;
    const method = request && typeof request === 'object' && typeof request.method === 'string' ? request.method : undefined;
    if (method === undefined) return { outcome: 'refuse', decision: 'denied', rule: 'methods', reason: 'the server asked for input in a form mcp-guard cannot judge (an entry has no method)' };
    const params = request!.params !== null && typeof request!.params === 'object' ? (request!.params as Record<string, unknown>) : undefined;
    const decision = decideMessage(policy, 'server→client', method, params);
    if (decision.outcome === 'refuse') return decision;
  }
  return undefined;
}

/** A digest of what a call is about, so a retry can be matched to the call it repeats. */
export function callDigest(method: string, params: Record<string, unknown> | undefined): string {
  const subject = method === 'resources/read' ? params?.uri : params?.name;
  return createHash('sha256').update(JSON.stringify([method, subject, canonical(params?.arguments ?? null)])).digest('base64url');
}

/** JSON with object keys sorted, so that the same arguments give the same digest. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

interface Waiting {
  digest: string;
  ticket: Ticket | undefined;
  expiresAt: number;
}

/** How long a server's `input_required` answer is remembered for its retry. */
const RETRY_TTL_MS = 15 * 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * The calls a server answered with `input_required`, so that their retry (which carries the
 * server's `requestState`, or at least `inputResponses`) is judged as the call it repeats but not
 * charged or asked about twice: the units the first attempt took go with the retry.
 */
export class RetryMemory {
  private readonly byKey = new Map<string, Waiting>();

  remember(requestState: unknown, digest: string, ticket: Ticket | undefined, now: number): void {
    const key = typeof requestState === 'string' ? `state:${requestState}` : `call:${digest}`;
    if (this.byKey.size >= MAX_REMEMBERED) this.byKey.delete(this.byKey.keys().next().value as string);
    this.byKey.set(key, { digest, ticket, expiresAt: now + RETRY_TTL_MS });
  }

  /** The first attempt of this retry, taken out (a retry is matched once), when it is one. */
  take(params: Record<string, unknown> | undefined, digest: string, now: number): { ticket: Ticket | undefined } | undefined {
    const state = params?.requestState;
    const key = typeof state === 'string' ? `state:${state}` : `call:${digest}`;
    const found = this.byKey.get(key);
    if (!found || found.digest !== digest || found.expiresAt < now) return undefined;
    this.byKey.delete(key);
    return { ticket: found.ticket };
  }
}

/** mcp-guard's own key in the `inputRequests` it sends to ask for approval, and its prefix of `requestState`. */
export const APPROVAL_INPUT_KEY = 'mcp-guard/approval';
const TOKEN_PREFIX = 'mcp-guard.1.';

interface TokenBody {
  /** The call's digest (method, tool and arguments). */
  d: string;
  /** Expiry, ms since the epoch. */
  e: number;
  /** Nonce: each token is used once. */
  n: string;
}

export type TokenCheck = { ok: true } | { ok: false; why: string };

/**
 * mcp-guard's own `requestState` when it asks a 2026-07-28 client for approval: authenticated
 * with an HMAC under a key this process draws at start (SPEC §6), bound to the call's digest and
 * an expiry, and good for one retry. A forged, altered, expired, replayed or misapplied token is refused.
 */
export class ApprovalTokens {
  private readonly key = randomBytes(32);
  private readonly used = new Map<string, number>();

  issue(digest: string, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ d: digest, e: expiresAt, n: randomBytes(12).toString('base64url') } satisfies TokenBody)).toString('base64url');
    return `${TOKEN_PREFIX}${body}.${this.mac(body)}`;
  }

  /** Whether a `requestState` is (or pretends to be) one of mcp-guard's. */
  static isOurs(requestState: unknown): requestState is string {
    return typeof requestState === 'string' && requestState.startsWith(TOKEN_PREFIX);
  }

  check(token: string, digest: string, now: number): TokenCheck {
    const [body, mac] = token.slice(TOKEN_PREFIX.length).split('.');
    if (!body || !mac) return { ok: false, why: 'it is not one mcp-guard issued' };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, why: 'it is not one mcp-guard issued (it was forged or altered)' };
    let parsed: TokenBody;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      return { ok: false, why: 'it cannot be read' };
    }
    if (parsed.d !== digest) return { ok: false, why: 'it was issued for another call (a different tool or arguments)' };
    if (parsed.e < now) return { ok: false, why: 'it has expired' };
    this.forgetExpired(now);
    if (this.used.has(parsed.n)) return { ok: false, why: 'it has been used already' };
    this.used.set(parsed.n, parsed.e);
    return { ok: true };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private forgetExpired(now: number): void {
    if (this.used.size < 1024) return;
    for (const [nonce, expiresAt] of this.used) if (expiresAt < now) this.used.delete(nonce);
  }
}

/** The answer mcp-guard's approval request got in a retry's `inputResponses`. */
export function approvalAnswer(params: Record<string, unknown> | undefined): 'accept' | 'decline' | 'cancel' | undefined {
  const responses = params?.inputResponses;
  if (responses === null || typeof responses !== 'object') return undefined;
  const answer = (responses as Record<string, unknown>)[APPROVAL_INPUT_KEY] as { action?: unknown } | undefined;
  const action = answer?.action;
  return action === 'accept' || action === 'decline' || action === 'cancel' ? action : undefined;
}

/** The retry as the server gets it: mcp-guard's own answer and `requestState` taken out. */
export function withoutOwnInput(message: Record<string, unknown>): string {
  const params = { ...(message.params as Record<string, unknown>) };
  delete params.requestState;
  const responses = params.inputResponses;
  if (responses !== null && typeof responses === 'object') {
    const rest = { ...(responses as Record<string, unknown>) };
    delete rest[APPROVAL_INPUT_KEY];
    if (Object.keys(rest).length > 0) params.inputResponses = rest;
    else delete params.inputResponses;
  }
  return JSON.stringify({ ...message, params });
}

/** The `input_required` result with which mcp-guard asks a 2026-07-28 client for a person's yes. */
export function approvalInputRequired(message: string, requestState: string): Record<string, unknown> {
  return {
    resultType: 'input_required',
    inputRequests: {
      [APPROVAL_INPUT_KEY]: {
        method: 'elicitation/create',
        params: { mode: 'form', message, requestedSchema: { type: 'object', properties: {} } },
      },
    },
    requestState,
  };
}
