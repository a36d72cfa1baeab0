import type { Charge } from '../policy/decision.js';

/**
 * Session counters: for each counter, the log of (time, amount) events of the calls it allowed.
 * A limit holds when the events inside its window, plus the new call, stay within `max` — a
 * sliding window, so there is no burst at a calendar boundary. Pure: time is passed in.
 */
interface CounterEvent {
  t: number;
  amount: number;
}

export type ChargeResult =
  | { ok: true; events: Array<[string, CounterEvent]> }
  | { ok: false; charge: Charge; retryAfterSeconds: number | undefined };

export class SlidingWindowCounters {
  private readonly logs = new Map<string, CounterEvent[]>();

  /** Checks every charge, and records them all only if every one has room. */
  tryCharge(charges: Charge[], now: number, retainMs: number): ChargeResult {
    for (const charge of charges) {
      const room = this.check(charge, now);
      if (room !== true) return { ok: false, charge, retryAfterSeconds: room };
    }
    const events: Array<[string, CounterEvent]> = [];
    for (const charge of charges) {
      const event = { t: now, amount: charge.amount };
      let log = this.logs.get(charge.counter);
      if (!log) this.logs.set(charge.counter, (log = []));
      prune(log, now - retainMs);
      log.push(event);
      events.push([charge.counter, event]);
    }
    return { ok: true, events };
  }

  /** Gives back what an earlier successful charge recorded (the call was refused later or failed upstream). */
  refund(events: Array<[string, CounterEvent]>): void {
    for (const [counter, event] of events) {
      const log = this.logs.get(counter);
      if (!log) continue;
      const at = log.lastIndexOf(event);
      if (at !== -1) log.splice(at, 1);
      if (log.length === 0) this.logs.delete(counter);
    }
  }

  /** Units used in the window ending at `now`. */
  used(counter: string, windowMs: number, now: number): number {
    const log = this.logs.get(counter);
    return log ? usedIn(log, now - windowMs) : 0;
  }

  private check(charge: Charge, now: number): true | number | undefined {
    const log = this.logs.get(charge.counter) ?? [];
    return roomFor(log, charge, now);
  }
}

function usedIn(log: CounterEvent[], after: number): number {
  let sum = 0;
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    if (e.t <= after) break;
    sum += e.amount;
  }
  return sum;
}

/**
 * `true` when the charge fits; otherwise the seconds until enough of the window has slid past
 * for it to fit (undefined when it can never fit: the amount alone exceeds `max`).
 */
export function roomFor(log: ReadonlyArray<CounterEvent>, charge: Charge, now: number): true | number | undefined {
  const after = now - charge.windowMs;
  const used = usedIn(log as CounterEvent[], after);
  if (used + charge.amount <= charge.max) return true;
  if (charge.amount > charge.max) return undefined;
  let excess = used + charge.amount - charge.max;
  for (const e of log) {
    if (e.t <= after) continue;
    excess -= e.amount;
    if (excess <= 0) return Math.max(1, Math.ceil((e.t + charge.windowMs - now) / 1000));
  }
  return Math.max(1, Math.ceil(charge.windowMs / 1000));
}

function prune(log: CounterEvent[], before: number): void {
  let drop = 0;
  while (drop < log.length && log[drop]!.t <= before) drop++;
  if (drop > 0) log.splice(0, drop);
}
