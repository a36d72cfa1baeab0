/**
 * Windows and rate-limit shorthands of the policy file (SPEC §3): `"minute"`, `60`, `"15m"`,
 * `"10/minute"`. Parsed once when a policy is compiled; invalid input gives `undefined` so the
 * validator can say what was expected.
 */

const NAMED_WINDOWS_MS: Readonly<Record<string, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** One or more `<number><unit>` segments, largest unit first by convention: `90s`, `1h30m`, `1.5h`. */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const SEGMENT = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Windows longer than this are almost certainly a typo (and would overflow nothing useful). */
const MAX_WINDOW_MS = 366 * 86_400_000;

/** The names `window` accepts besides numbers and durations; used in messages and suggestions. */
export const WINDOW_NAMES: readonly string[] = Object.keys(NAMED_WINDOWS_MS);

/**
 * Milliseconds for a limit window: `"second" | "minute" | "hour" | "day"`, a positive number of
 * seconds, or a duration string (`"500ms"`, `"90s"`, `"15m"`, `"2h"`, `"1d"`, `"1h30m"`);
 * `undefined` when `spec` is none of these.
 */
export function parseWindow(spec: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof spec === 'number') {
    ms = spec * 1_000;
  } else if (typeof spec === 'string') {
    if (Object.hasOwn(NAMED_WINDOWS_MS, spec)) return NAMED_WINDOWS_MS[spec];
    if (!DURATION.test(spec)) return undefined;
    ms = 0;
    for (const [, amount, unit] of spec.matchAll(SEGMENT)) ms += Number(amount) * UNIT_MS[unit!]!;
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  // Sub-millisecond windows cannot be measured by the counters, so they are not windows.
  const rounded = Math.round(ms);
  return rounded >= 1 && rounded <= MAX_WINDOW_MS ? rounded : undefined;
}

/**
 * The `rate_limit` shorthand `"<max>/<window>"` (`"10/minute"`, `"100/15m"`): a non-negative
 * integer count over a window as `parseWindow` reads it; `undefined` when malformed.
 */
export function parseRateLimit(spec: string): { max: number; windowMs: number } | undefined {
  const match = /^(\d+)\/(.+)$/.exec(spec);
  if (!match) return undefined;
  const max = Number(match[1]);
  const windowMs = parseWindow(match[2]);
  if (!Number.isSafeInteger(max) || windowMs === undefined) return undefined;
  return { max, windowMs };
}
