import type { Charge } from '../policy/engine/decision.js';

/**
 * Session counters: for each counter, the log of (time, amount) events of the calls it allowed.
 * A limit holds when the events inside its window, plus the new call, stay within `max` — a
 * sliding window, so there is no burst at a calendar boundary. Pure: time is passed in.
 *
 * Each (counter, window) keeps a running sum and a cursor to the first event still inside the
 * window, so a check costs O(1) amortised however many events the window holds (a plain scan
 * made every call slower than the last under a high `max`).
 *
 * Calls charged at the same millisecond add to one event (one object per counter and millisecond,
 * not per call: the events outlive many collections, and a busy session charges dozens of calls a
 * millisecond). Each call keeps its share of the event, which a refund takes out of it; every
 * decision is the one separate events would give, as they would be at the same time.
 */
export interface CounterEvent {
  t: number;
  amount: number;
}

/** A call's part of a counter's event: what a refund gives back (zero once given back). */
export interface CounterShare {
  readonly counter: string;
  readonly event: CounterEvent;
  amount: number;
}

interface WindowState {
  windowMs: number;
  /** Absolute index (see CounterLog.base) of the first event inside the window. */
  cursor: number;
  sum: number;
}

interface CounterLog {
  events: CounterEvent[];
  /** Absolute index of events[0]: events before it were pruned. */
  base: number;
  windows: WindowState[];
}

export type ChargeResult =
  | { ok: true; events: CounterShare[] }
  | { ok: false; charge: Charge; retryAfterSeconds: number | undefined };

export class SlidingWindowCounters {
  private readonly logs = new Map<string, CounterLog>();

  /** Checks every charge, and records them all only if every one has room. */
  tryCharge(charges: readonly Charge[], now: number): ChargeResult {
    const refusal = this.check(charges, now);
    if (refusal) return refusal;
    return { ok: true, events: this.record(charges, now) };
  }

  /** The first charge that has no room, or undefined when all fit. Records nothing. */
  check(charges: readonly Charge[], now: number): (ChargeResult & { ok: false }) | undefined {
    for (const charge of charges) {
      const log = this.logFor(charge.counter);
      const state = this.windowFor(log, charge.windowMs, now);
      const amount = amountFor(charges, charge.counter);
      if (state.sum + amount <= charge.max) continue;
      return { ok: false, charge, retryAfterSeconds: retryAfter(log.events.slice(state.cursor - log.base), charge, amount, now) };
    }
    return undefined;
  }

  /** Records the call in one event per counter the charges name (limits naming one counter share it). */
  record(charges: readonly Charge[], now: number): CounterShare[] {
    const shares: CounterShare[] = [];
    for (const { counter, amount } of charges) {
      if (shares.some((s) => s.counter === counter)) continue;
      const log = this.logFor(counter);
      const last = log.events.at(-1);
      let event: CounterEvent;
      if (last && last.t === now) {
        event = last;
        event.amount += amount;
      } else {
        event = { t: now, amount };
        log.events.push(event);
      }
      for (const w of log.windows) {
        advance(log, w, now);
        w.sum += amount;
      }
      prune(log);
      shares.push({ counter, event, amount });
    }
    return shares;
  }

  /** Gives back what an earlier successful charge recorded (the call was refused later or failed upstream). */
  refund(shares: ReadonlyArray<CounterShare>): void {
    for (const share of shares) {
      const log = this.logs.get(share.counter);
      if (!log || share.amount === 0) continue;
      const at = log.events.lastIndexOf(share.event);
      if (at === -1) continue;
      for (const w of log.windows) if (log.base + at >= w.cursor) w.sum -= share.amount;
      share.event.amount -= share.amount;
      share.amount = 0;
    }
  }

  /** Units used in the window ending at `now`. */
  used(counter: string, windowMs: number, now: number): number {
    const log = this.logs.get(counter);
    return log ? this.windowFor(log, windowMs, now).sum : 0;
  }

  private logFor(counter: string): CounterLog {
    let log = this.logs.get(counter);
    if (!log) this.logs.set(counter, (log = { events: [], base: 0, windows: [] }));
    return log;
  }

  private windowFor(log: CounterLog, windowMs: number, now: number): WindowState {
    let state = log.windows.find((w) => w.windowMs === windowMs);
    if (!state) {
      // First use of this window on this counter: start with everything, then slide.
      state = { windowMs, cursor: log.base, sum: log.events.reduce((s, e) => s + e.amount, 0) };
      log.windows.push(state);
    }
    advance(log, state, now);
    return state;
  }
}

/** Moves a window's start past the events that have slid out of it. */
function advance(log: CounterLog, w: WindowState, now: number): void {
  const after = now - w.windowMs;
  let i = w.cursor - log.base;
  while (i < log.events.length && log.events[i]!.t <= after) {
    w.sum -= log.events[i]!.amount;
    i++;
  }
  w.cursor = log.base + i;
}

/** Drops events every window has left behind. */
function prune(log: CounterLog): void {
  let oldest = Infinity;
  for (const w of log.windows) oldest = Math.min(oldest, w.cursor);
  const drop = (oldest === Infinity ? log.base : oldest) - log.base;
  // Splicing on every call would be O(n): drop in bulk once half the array is dead.
  if (drop > 64 && drop * 2 >= log.events.length) {
    log.events.splice(0, drop);
    log.base += drop;
  }
}

/** The amount a call adds to a counter: the first charge naming it decides (one event per counter). */
export function amountFor(charges: readonly Charge[], counter: string): number {
  for (const c of charges) if (c.counter === counter) return c.amount;
  return 0;
}

/**
 * Seconds until enough of the window has slid past for `amount` to fit, given the events inside
 * the window (oldest first); undefined when it can never fit (the amount alone exceeds `max`).
 */
export function retryAfter(inWindow: ReadonlyArray<CounterEvent>, charge: Charge, amount: number, now: number): number | undefined {
  if (amount > charge.max) return undefined;
  let excess = inWindow.reduce((s, e) => s + e.amount, 0) + amount - charge.max;
  for (const e of inWindow) {
    excess -= e.amount;
    if (excess <= 0) return Math.max(1, Math.ceil((e.t + charge.windowMs - now) / 1000));
  }
  return Math.max(1, Math.ceil(charge.windowMs / 1000));
}
