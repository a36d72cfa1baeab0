import { parseWindow } from '../policy/engine/duration.js';

/**
 * `--since`: a duration back from `now` (`90s`, `15m`, `1h`, `2d`, `1h30m`, a number of seconds),
 * or an ISO 8601 time (`2026-11-25`, `2026-11-25T08:00:00Z`). The time in ms since the epoch,
 * or undefined when the value is neither.
 */
export function parseSince(value: string, now: number): number | undefined {
  const text = value.trim();
  const window = parseWindow(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (window !== undefined) return now - window;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : undefined;
}
