import type { Statement } from 'better-sqlite3';
import type { Charge } from '../policy/engine/decision.js';
import type { Database } from '../state/database.js';
import type { GrantEvent } from '../state/store.js';
import { retryAfter } from './sliding-window.js';

/**
 * `scope: "grant"` counters, shared by every mcp-guard process with the same grant id through
 * the state database. Every check-and-consume runs inside an IMMEDIATE transaction, so two
 * processes can never both take the last unit.
 *
 * Like the session counters, each (counter, window) keeps a running sum and a cursor — the
 * (t, id) of the last event that has slid out — in `counter_windows`, so a check reads only the
 * events that left the window since the last one, not the whole window. Within one batch (one
 * chunk of client input, see Limiter.flush) all checks share one transaction: committing per
 * call cost ~50 µs; per batch it is a few µs a call.
 *
 * Each counter keeps its own clock: the latest time any process charged or read it. A request
 * whose `now` is older (it read the clock, then waited for another process's transaction; or its
 * machine's clock is behind) is taken at that latest time instead, so a counter's events are
 * always in order and never land behind a window's cursor (where they would stay in its sum for
 * good). Inside a transaction no other process can write, so the window rows and clocks it has
 * read are kept in memory until it ends, and the units it adds to a counter's windows are written
 * in one UPDATE before anything reads the table again and before it commits. The events
 * themselves wait in memory too: the requests of one batch that charge a counter at the same time
 * become one row of their summed units, inserted when the batch ends (or before a statement reads
 * the counter's events), so a chunk of calls costs one INSERT per counter rather than one per call.
 * Each request keeps its share of the row (`GrantEvent`); a refund takes that share out of it. A
 * row of several requests is what their separate rows would be (same time, consecutive in the
 * cursor's order), so every decision is the same. The Redis backend (src/state/redis-scripts.ts)
 * implements the same algorithm in Lua.
 */
interface WindowRow {
  sum: number;
  cursor_t: number;
  cursor_id: number;
}

/** Larger than any row id: a cursor at (t, LAST) has every event at time t behind it. */
const LAST = Number.MAX_SAFE_INTEGER;

/** Inserts (by this process, per counter) between prunes of events every window has left. */
export const PRUNE_EVERY = 64;

export type GrantCharge = { ok: true; events: GrantEvent[] } | { ok: false; charge: Charge; retryAfterSeconds: number | undefined };

/** A request's share of an event not inserted yet: its row id is filled in when it is. */
interface Share {
  ref: number;
  readonly amount: number;
}

/** An event of this transaction not inserted yet: the summed units of requests charging its counter at `t`. */
interface UnwrittenEvent {
  t: number;
  amount: number;
  shares: Share[];
}

/**
 * What the current transaction has read or written of the counters, per counter: its clock
 * (`latest`, null when it has no window yet) and its windows' rows by window length. Exact while
 * the transaction holds the write lock; dropped when it ends, committed or not.
 */
interface CounterMemory {
  latest?: number | null;
  windows: Map<number, WindowRow>;
  /** Units recorded by this transaction and added to the remembered rows, not yet to the table's. */
  unwritten: number;
  /** Events recorded by this transaction, not yet inserted (in time order). */
  events: UnwrittenEvent[];
}
type TransactionCache = Map<string, CounterMemory>;

export class GrantCounters {
  private readonly q: Record<string, Statement>;
  private tx: TransactionCache | undefined;
  private readonly insertsSincePrune = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly grantId: string,
  ) {
    const prepare = (sql: string) => db.prepare(sql);
    this.q = {
      window: prepare('SELECT sum, cursor_t, cursor_id FROM counter_windows WHERE grant_id = ? AND counter = ? AND window_ms = ?'),
      windows: prepare('SELECT window_ms, sum, cursor_t, cursor_id FROM counter_windows WHERE grant_id = ? AND counter = ?'),
      latest: prepare('SELECT MAX(cursor_t + window_ms) AS t FROM counter_windows WHERE grant_id = ? AND counter = ?'),
      sumAfter: prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM counter_events WHERE grant_id = ? AND counter = ? AND t > ?'),
      leaving: prepare(
        'SELECT COALESCE(SUM(amount), 0) AS s FROM counter_events WHERE grant_id = ? AND counter = ? AND t <= ? AND (t > ? OR (t = ? AND id > ?))',
      ),
      insertWindow: prepare('INSERT INTO counter_windows (grant_id, counter, window_ms, sum, cursor_t, cursor_id) VALUES (?, ?, ?, ?, ?, ?)'),
      updateWindow: prepare('UPDATE counter_windows SET sum = ?, cursor_t = ?, cursor_id = ? WHERE grant_id = ? AND counter = ? AND window_ms = ?'),
      addToWindows: prepare('UPDATE counter_windows SET sum = sum + ? WHERE grant_id = ? AND counter = ?'),
      inWindow: prepare('SELECT t, amount FROM counter_events WHERE grant_id = ? AND counter = ? AND t > ? ORDER BY t, id'),
      insert: prepare('INSERT INTO counter_events (grant_id, counter, t, amount) VALUES (?, ?, ?, ?)'),
      prune: prepare('DELETE FROM counter_events WHERE grant_id = ? AND counter = ? AND t <= ?'),
      event: prepare('SELECT counter, t, amount FROM counter_events WHERE id = ? AND grant_id = ?'),
      remove: prepare('DELETE FROM counter_events WHERE id = ?'),
      reduce: prepare('UPDATE counter_events SET amount = amount - ? WHERE id = ?'),
      subtract: prepare(
        'UPDATE counter_windows SET sum = sum - ? WHERE grant_id = ? AND counter = ? AND (? > cursor_t OR (? = cursor_t AND ? > cursor_id))',
      ),
    };
  }

  /** Atomically checks every charge and records them all, or none. Returns the request's events, or the charge that has no room. */
  tryCharge(charges: ReadonlyArray<Charge>, now: number): GrantCharge {
    return this.transaction(() => {
      const result = this.chargeInTransaction(charges, now);
      this.insertAll();
      return result;
    });
  }

  /**
   * One batch of requests (one chunk of client input) in one IMMEDIATE transaction, decided in
   * order: one commit for all of them, exact across processes. A request with no charges takes nothing.
   */
  chargeBatch(requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): GrantCharge[] {
    return this.transaction(() => {
      const results = requests.map((charges) => (charges.length === 0 ? { ok: true as const, events: [] } : this.chargeInTransaction(charges, now)));
      this.insertAll();
      return results;
    });
  }

  /** `tryCharge` inside a transaction this object holds. */
  private chargeInTransaction(charges: ReadonlyArray<Charge>, now: number): GrantCharge {
    const t = this.clock(charges, now);
    for (const charge of charges) {
      const amount = amountOf(charges, charge.counter);
      const sum = this.slide(charge.counter, charge.windowMs, t);
      if (sum + amount <= charge.max) continue;
      this.insert(charge.counter, this.cached(charge.counter));
      const inWindow = this.q.inWindow!.all(this.grantId, charge.counter, t - charge.windowMs) as Array<{ t: number; amount: number }>;
      return { ok: false as const, charge, retryAfterSeconds: retryAfter(inWindow, charge, amount, t) };
    }
    const events: Share[] = [];
    for (const { counter, amount } of distinctCounters(charges)) {
      const entry = this.cached(counter)!;
      for (const row of entry.windows.values()) row.sum += amount;
      entry.unwritten += amount;
      const share: Share = { ref: 0, amount };
      const last = entry.events.at(-1);
      if (last && last.t === t) {
        last.amount += amount;
        last.shares.push(share);
      } else {
        entry.events.push({ t, amount, shares: [share] });
      }
      events.push(share);
    }
    return { ok: true as const, events };
  }

  /** Takes requests' shares out of their events (an event left with nothing is deleted). */
  refund(events: ReadonlyArray<GrantEvent>): void {
    this.transaction(() => {
      // Which windows still count an event is decided in SQL: what this transaction remembered is re-read.
      this.insertAll();
      this.writeAll();
      this.tx?.clear();
      for (const { ref: id, amount } of events) {
        const row = this.q.event!.get(id, this.grantId) as { counter: string; t: number; amount: number } | undefined;
        if (!row) continue;
        if (row.amount - amount > 0) this.q.reduce!.run(amount, id);
        else this.q.remove!.run(id);
        // Only windows the event is still inside counted it.
        this.q.subtract!.run(amount, this.grantId, row.counter, row.t, row.t, id);
      }
    });
  }

  /** Units used by a counter in the window ending at `now`. */
  used(counter: string, windowMs: number, now: number): number {
    return this.transaction(() => this.slide(counter, windowMs, this.clock([{ counter }], now)));
  }

  /** Runs `fn` in one IMMEDIATE transaction (or in the one already open), with its memory of the counters. */
  private transaction<T>(fn: () => T): T {
    if (this.tx) return fn();
    return this.db
      .transaction(() => {
        this.tx = new Map();
        try {
          const result = fn();
          this.insertAll();
          this.writeAll();
          return result;
        } finally {
          this.tx = undefined;
        }
      })
      .immediate();
  }

  /** The current transaction's memory of a counter (created on first use), or undefined outside one. */
  private cached(counter: string): CounterMemory | undefined {
    if (!this.tx) return undefined;
    let entry = this.tx.get(counter);
    if (!entry) this.tx.set(counter, (entry = { windows: new Map(), unwritten: 0, events: [] }));
    return entry;
  }

  /** Adds a counter's unwritten units to its windows' rows in the table (before a statement reads or sets them). */
  private write(counter: string, entry: CounterMemory | undefined): void {
    if (!entry || entry.unwritten === 0) return;
    this.q.addToWindows!.run(entry.unwritten, this.grantId, counter);
    entry.unwritten = 0;
  }

  private writeAll(): void {
    for (const [counter, entry] of this.tx ?? []) this.write(counter, entry);
  }

  /**
   * Inserts a counter's events not inserted yet, giving each share its row id (before a statement
   * reads the counter's events, and when a batch ends). Pruning follows every PRUNE_EVERY inserts.
   */
  private insert(counter: string, entry: CounterMemory | undefined): void {
    if (!entry || entry.events.length === 0) return;
    const events = entry.events;
    entry.events = [];
    for (const event of events) {
      const id = Number(this.q.insert!.run(this.grantId, counter, event.t, event.amount).lastInsertRowid);
      for (const share of event.shares) share.ref = id;
      // Pruning slides every window of the counter; once in a while is enough to bound the table.
      const inserts = (this.insertsSincePrune.get(counter) ?? 0) + 1;
      this.insertsSincePrune.set(counter, inserts % PRUNE_EVERY);
      if (inserts >= PRUNE_EVERY) this.pruneCounter(counter, event.t);
    }
  }

  private insertAll(): void {
    for (const [counter, entry] of this.tx ?? []) this.insert(counter, entry);
  }

  /** The time a request is taken at: `now`, or the latest time any of its counters has seen. */
  private clock(charges: ReadonlyArray<{ counter: string }>, now: number): number {
    let t = now;
    for (const charge of charges) {
      const entry = this.cached(charge.counter);
      let latest = entry?.latest;
      if (latest === undefined) {
        latest = (this.q.latest!.get(this.grantId, charge.counter) as { t: number | null }).t;
        if (entry) entry.latest = latest;
      }
      if (latest !== null && latest > t) t = latest;
    }
    return t;
  }

  /** The window's sum after sliding it to `now` (creating its row on first use). */
  private slide(counter: string, windowMs: number, now: number): number {
    const edge = now - windowMs;
    const entry = this.cached(counter);
    let row = entry?.windows.get(windowMs);
    if (row && edge <= row.cursor_t) return row.sum;
    // What follows reads the counter's events: this transaction's go in first (a prune they may
    // set off can move the remembered row).
    if (entry && entry.events.length > 0) {
      this.insert(counter, entry);
      row = entry.windows.get(windowMs);
      if (row && edge <= row.cursor_t) return row.sum;
    }
    if (!row) {
      // The table's row is read (or, missing, created from the events) with this transaction's units in it.
      this.write(counter, entry);
      row = this.q.window!.get(this.grantId, counter, windowMs) as WindowRow | undefined;
      if (row && entry) entry.windows.set(windowMs, row);
    }
    if (!row) {
      const sum = (this.q.sumAfter!.get(this.grantId, counter, edge) as { s: number }).s;
      this.q.insertWindow!.run(this.grantId, counter, windowMs, sum, edge, LAST);
      this.moved(entry, windowMs, { sum, cursor_t: edge, cursor_id: LAST }, now);
      return sum;
    }
    if (edge <= row.cursor_t) return row.sum;
    const left = (this.q.leaving!.get(this.grantId, counter, edge, row.cursor_t, row.cursor_t, row.cursor_id) as { s: number }).s;
    const sum = row.sum - left;
    // The new sum already has this transaction's units: the table's row must have them before it is set.
    this.write(counter, entry);
    this.q.updateWindow!.run(sum, edge, LAST, this.grantId, counter, windowMs);
    this.moved(entry, windowMs, { sum, cursor_t: edge, cursor_id: LAST }, now);
    return sum;
  }

  /** Remembers a window's new row, and the counter's clock it moved to (its cursor is at `now` minus its length). */
  private moved(entry: ReturnType<GrantCounters['cached']>, windowMs: number, row: WindowRow, now: number): void {
    if (!entry) return;
    entry.windows.set(windowMs, row);
    if (entry.latest !== undefined && (entry.latest === null || entry.latest < now)) entry.latest = now;
  }

  /** Deletes events every window of the counter has left behind. */
  private pruneCounter(counter: string, now: number): void {
    const windows = this.q.windows!.all(this.grantId, counter) as Array<WindowRow & { window_ms: number }>;
    let oldest = Infinity;
    for (const w of windows) {
      this.slide(counter, w.window_ms, now);
      oldest = Math.min(oldest, now - w.window_ms);
    }
    if (oldest !== Infinity) this.q.prune!.run(this.grantId, counter, oldest);
  }
}

/**
 * The first charge naming each counter, in order: a request records one event per counter, with
 * that charge's amount (the stores' tickets list their events in this order).
 */
export function distinctCounters(charges: ReadonlyArray<Charge>): ReadonlyArray<Charge> {
  if (charges.length <= 1) return charges;
  return charges.filter((c, i) => charges.findIndex((d) => d.counter === c.counter) === i);
}

/** The amount a request adds to a counter: its first charge naming the counter decides (as for session counters). */
export function amountOf(charges: ReadonlyArray<Charge>, counter: string): number {
  for (const c of charges) if (c.counter === counter) return c.amount;
  return 0;
}
