import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { amountOf, distinctCounters, PRUNE_EVERY } from '../limits/grant-counters.js';
import type { Charge } from '../policy/engine/decision.js';
import {
  ANSWER_APPROVAL_SCRIPT,
  CHARGE_SCRIPT,
  CREATE_APPROVAL_SCRIPT,
  REFUND_SCRIPT,
  USAGE_SCRIPT,
  WRITE_DOCUMENT_SCRIPT,
} from './redis-scripts.js';
import { stateUnavailable } from './state-errors.js';
import type { RedisLocation } from './state-url.js';
import { type ApprovalStatus, type GrantChargeResult, type GrantEvent, type GrantTicket, type NewApproval, type PendingApproval, type StateStore, type StoredDocument, unrefunded } from './store.js';

/** Counter keys outlive their longest window by this much (a paused process, a slow test). */
export const KEY_GRACE_MS = 60_000;
/** How long an approval stays readable after it expired, for the guard that waits on it. */
const APPROVAL_KEEP_MS = 3_600_000;
/** Reconnect delays double from the first to the last and stay there: never a busy loop. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_LAST_MS = 2000;
/** A server that accepts the connection but does not answer (stopped, overloaded) fails the call after this. */
const TIMEOUT_MS = 5000;

const SCRIPTS = {
  mcpGuardCharge: CHARGE_SCRIPT,
  mcpGuardRefund: REFUND_SCRIPT,
  mcpGuardUsage: USAGE_SCRIPT,
  mcpGuardCreateApproval: CREATE_APPROVAL_SCRIPT,
  mcpGuardAnswerApproval: ANSWER_APPROVAL_SCRIPT,
  mcpGuardWriteDocument: WRITE_DOCUMENT_SCRIPT,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptClient = Redis & Record<ScriptName, (numKeys: number, ...args: Array<string | number>) => Promise<unknown>>;

/** Escapes the characters the key layout uses (`:` between parts, `{}` around the hash tag). */
function keyPart(text: string): string {
  return text.replace(/[%{}:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A grant's keys share the hash tag `{grant}`, so one script's keys always live in one slot. */
export function counterKeys(grant: string, counter: string): [events: string, windows: string] {
  const base = `mcp-guard:{${keyPart(grant)}}:counter:${keyPart(counter)}`;
  return [`${base}:events`, `${base}:windows`];
}

const approvalKey = (id: string) => `mcp-guard:approval:${keyPart(id)}`;
const APPROVAL_INDEX = 'mcp-guard:approvals:pending';
const documentsKey = (kind: string) => `mcp-guard:documents:${keyPart(kind)}`;

/**
 * Grant counters, approvals and documents in Redis, shared by every machine that names the same
 * server (SPEC §13). Check-and-consume is one Lua script per batch (EVALSHA, falling back to EVAL
 * when the server has not seen it: ioredis' `defineCommand`). Time is the caller's `now`, so both
 * backends decide alike; a fleet's clocks must agree (NTP), see docs/state-backends.md.
 *
 * Failure: nothing is queued while disconnected. A call made then is refused at once with a
 * reason naming the store; the client reconnects in the background with a bounded backoff.
 */
export class RedisStateStore implements StateStore {
  readonly description: string;
  private client: ScriptClient | undefined;
  private connecting: Promise<void> | undefined;
  private lastError: string | undefined;
  private closed = false;
  /** Inserts per grant counter since this client last pruned it (as GrantCounters counts them). */
  private readonly insertsSincePrune = new Map<string, number>();
  private readonly givenBack = new WeakSet<GrantEvent>();

  constructor(private readonly location: RedisLocation) {
    this.description = location.description;
  }

  async chargeGrant(grant: string, requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): Promise<GrantChargeResult[]> {
    if (requests.every((r) => r.length === 0)) return requests.map(() => ({ ok: true, ticket: { events: [] } }));
    const counters: string[] = [];
    const indexOf = new Map<string, number>();
    const ci = (counter: string): number => {
      let i = indexOf.get(counter);
      if (i === undefined) {
        counters.push(counter);
        indexOf.set(counter, (i = counters.length));
      }
      return i;
    };
    const flat: number[] = [];
    // Each request's events: one per distinct counter, in the order the counters first appear.
    const eventsOf = requests.map(distinctCounters);
    requests.forEach((charges, r) => {
      flat.push(charges.length);
      for (const c of charges) flat.push(ci(c.counter), c.windowMs, c.max, amountOf(charges, c.counter));
      const events = eventsOf[r]!;
      flat.push(events.length);
      for (const c of events) flat.push(ci(c.counter), c.amount);
    });
    const pruneLeft = counters.map((c) => PRUNE_EVERY - (this.insertsSincePrune.get(pruneKey(grant, c)) ?? 0));
    const keys = counters.flatMap((c) => counterKeys(grant, c));
    const reply = (await this.script('mcpGuardCharge', keys, [now, KEY_GRACE_MS, PRUNE_EVERY, JSON.stringify([pruneLeft, flat])])) as Array<number | string>;
    // The events written per counter come last.
    const written = reply.length - counters.length;
    counters.forEach((c, i) => {
      const key = pruneKey(grant, c);
      this.insertsSincePrune.set(key, ((this.insertsSincePrune.get(key) ?? 0) + Number(reply[written + i])) % PRUNE_EVERY);
    });
    let p = 0;
    return requests.map((charges, r): GrantChargeResult => {
      if (Number(reply[p]) === 0) {
        const retry = Number(reply[p + 2]);
        const charge = charges[Number(reply[p + 1])]!;
        p += 3;
        return { ok: false, charge, retryAfterSeconds: retry < 0 ? undefined : retry };
      }
      p += 1;
      // Each event's seq and time.
      const events: GrantEvent[] = eventsOf[r]!.map((c) => {
        const event = { ref: JSON.stringify([c.counter, String(reply[p]), String(reply[p + 1])]), amount: c.amount };
        p += 2;
        return event;
      });
      return { ok: true, ticket: { events } };
    });
  }

  async refundGrant(grant: string, tickets: ReadonlyArray<GrantTicket>): Promise<void> {
    const counters: string[] = [];
    const events: Array<[number, string, string, number]> = [];
    for (const event of unrefunded(tickets, this.givenBack)) {
      if (typeof event.ref !== 'string') continue;
      const [counter, seq, t] = JSON.parse(event.ref) as [string, string, string];
      let i = counters.indexOf(counter);
      if (i === -1) i = counters.push(counter) - 1;
      events.push([i + 1, seq, t, event.amount]);
    }
    if (events.length === 0) return;
    await this.script(
      'mcpGuardRefund',
      counters.flatMap((c) => counterKeys(grant, c)),
      [KEY_GRACE_MS, JSON.stringify(events)],
    );
  }

  async grantUsage(grant: string, counter: string, windowMs: number, now: number): Promise<number> {
    return Number(await this.script('mcpGuardUsage', counterKeys(grant, counter), [now, windowMs, KEY_GRACE_MS]));
  }

  async createApproval(entry: NewApproval): Promise<string> {
    const expiresAt = entry.now + entry.timeoutMs;
    const fields: Array<string | number> = [
      'tool', entry.tool,
      'arguments', JSON.stringify(entry.arguments ?? {}),
      'rule', entry.rule,
      'session', entry.session,
      'requestedAt', entry.now,
      'expiresAt', expiresAt,
      'status', 'pending',
    ];
    if (entry.reason !== undefined) fields.push('reason', entry.reason);
    // Ids are short enough to type; a taken one (another machine's) is drawn again.
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = randomBytes(4).toString('hex');
      const created = await this.script('mcpGuardCreateApproval', [approvalKey(id), APPROVAL_INDEX], [id, expiresAt, entry.timeoutMs + APPROVAL_KEEP_MS, ...fields]);
      if (Number(created) === 1) return id;
    }
    throw stateUnavailable(this.description, 'no free approval id after 8 draws');
  }

  async approvalStatus(id: string): Promise<ApprovalStatus | undefined> {
    const status = await this.command((c) => c.hget(approvalKey(id), 'status'));
    return (status ?? undefined) as ApprovalStatus | undefined;
  }

  async answerApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, now: number): Promise<boolean> {
    return Number(await this.script('mcpGuardAnswerApproval', [approvalKey(id), APPROVAL_INDEX], [id, status, now])) === 1;
  }

  async listPendingApprovals(now: number): Promise<PendingApproval[]> {
    return this.command(async (c) => {
      const ids = await c.zrangebyscore(APPROVAL_INDEX, `(${now}`, '+inf');
      const rows = await Promise.all(ids.map((id) => c.hgetall(approvalKey(id))));
      const pending: PendingApproval[] = [];
      const stale: string[] = [];
      rows.forEach((row, i) => {
        if (row.status !== 'pending') return void stale.push(ids[i]!);
        pending.push({
          id: ids[i]!,
          tool: row.tool ?? '',
          arguments: JSON.parse(row.arguments ?? '{}') as unknown,
          reason: row.reason ?? null,
          rule: row.rule ?? '',
          session: row.session ?? '',
          requestedAt: new Date(Number(row.requestedAt)).toISOString(),
          expiresAt: new Date(Number(row.expiresAt)).toISOString(),
        });
      });
      // Keep the index small: answered, vanished, and long-expired entries leave it.
      if (stale.length > 0) await c.zrem(APPROVAL_INDEX, ...stale);
      await c.zremrangebyscore(APPROVAL_INDEX, '-inf', now - APPROVAL_KEEP_MS);
      return pending.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
    });
  }

  async readDocument(kind: string, key: string): Promise<StoredDocument | undefined> {
    const raw = await this.command((c) => c.hget(documentsKey(kind), key));
    return raw === null ? undefined : toDocument(key, raw);
  }

  async writeDocument(kind: string, key: string, value: unknown, expectedVersion: number | undefined): Promise<number | undefined> {
    const version = Number(await this.script('mcpGuardWriteDocument', [documentsKey(kind)], [key, expectedVersion ?? '', JSON.stringify(value ?? null)]));
    return version < 0 ? undefined : version;
  }

  async listDocuments(kind: string, keyPrefix: string): Promise<StoredDocument[]> {
    const all = await this.command((c) => c.hgetall(documentsKey(kind)));
    return Object.keys(all)
      .filter((key) => key.startsWith(keyPrefix))
      .sort()
      .map((key) => toDocument(key, all[key]!));
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.status === 'ready') {
      try {
        await client.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    client.disconnect();
  }

  private script(name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.command((c) => c[name](keys.length, ...keys, ...args));
  }

  /** Runs commands on a ready connection; any failure becomes STATE_UNAVAILABLE naming the store. */
  private async command<T>(fn: (client: ScriptClient) => Promise<T>): Promise<T> {
    const client = await this.ready();
    try {
      return await fn(client);
    } catch (error) {
      throw stateUnavailable(this.description, describeFailure(error as Error, this.lastError), error);
    }
  }

  private async ready(): Promise<ScriptClient> {
    if (this.closed) throw stateUnavailable(this.description, 'it is closed');
    if (!this.client) {
      const client = this.connect();
      this.client = client;
      this.connecting = client.connect().then(
        () => undefined,
        () => undefined,
      );
    }
    if (this.connecting) {
      await this.connecting;
      this.connecting = undefined;
    }
    const client = this.client;
    if (!client || client.status !== 'ready') {
      throw stateUnavailable(this.description, `not connected${this.lastError ? ` (${this.lastError})` : ''}`);
    }
    return client;
  }

  private connect(): ScriptClient {
    const { host, port, db, username, password, tls } = this.location;
    const client = new Redis({
      host,
      port,
      db,
      username,
      password,
      // rediss://: TLS, with the host name checked against the certificate (Node's defaults).
      tls: tls ? {} : undefined,
      lazyConnect: true,
      connectionName: 'mcp-guard',
      // RESP2: understood by every Redis-compatible server mcp-guard may meet.
      protocol: 2,
      // Nothing waits for a connection: a call made while disconnected fails at once (fail closed),
      // commands in flight when it drops fail instead of being sent again (a charge is not idempotent).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: TIMEOUT_MS,
      // ioredis arms this timer on close even for a socket that is already gone; it would keep a
      // short-lived command (approvals) alive for the default 2 s.
      disconnectTimeout: 200,
      commandTimeout: TIMEOUT_MS,
      retryStrategy: (times: number) => Math.min(RECONNECT_FIRST_MS * 2 ** Math.min(times - 1, 10), RECONNECT_LAST_MS),
    }) as ScriptClient;
    // Errors are remembered for the next refusal's reason; an unhandled 'error' would crash the process.
    client.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    client.on('ready', () => {
      this.lastError = undefined;
    });
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua });
    return client;
  }
}

function pruneKey(grant: string, counter: string): string {
  return `${grant}\u0000${counter}`;
}

function toDocument(key: string, raw: string): StoredDocument {
  const colon = raw.indexOf(':');
  return { key, version: Number(raw.slice(0, colon)), value: JSON.parse(raw.slice(colon + 1)) as unknown };
}

/** ioredis' messages, in words a person can act on. */
function describeFailure(error: Error, lastError: string | undefined): string {
  const message = error.message ?? String(error);
  if (/enableOfflineQueue|Connection is closed|max retries per request/i.test(message)) {
    return `the connection was lost${lastError ? ` (${lastError})` : ''}`;
  }
  if (/Command timed out/i.test(message)) return `no answer within ${TIMEOUT_MS / 1000} s`;
  return message;
}
