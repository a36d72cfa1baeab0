import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRateLimit, parseWindow } from '../../../../src/policy/engine/duration.js';

describe('parseWindow', () => {
  it.each([
    ['second', 1_000],
    ['minute', 60_000],
    ['hour', 3_600_000],
    ['day', 86_400_000],
    [1, 1_000],
    [90, 90_000],
    [0.5, 500],
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
  ])('%j is %d ms', (spec, ms) => {
    expect(parseWindow(spec)).toBe(ms);
  });

  it.each([
    'fortnight', 'Minute', 'minutes', '', '15', '15 m', ' 15m', '15M', '-1s', 'm', '1x', '0s', '0.0001ms', '400d',
    0, -5, Number.NaN, Number.POSITIVE_INFINITY, 0.0001, null, undefined, true, {}, [], ['minute'],
  ])('%j is not a window', (spec) => {
    expect(parseWindow(spec)).toBeUndefined();
  });

  it('agrees with seconds for every positive whole number of seconds up to a year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 365 * 86_400 }), (seconds) => {
        expect(parseWindow(seconds)).toBe(seconds * 1_000);
        expect(parseWindow(`${seconds}s`)).toBe(seconds * 1_000);
      }),
    );
  });
});

describe('parseRateLimit', () => {
  it.each([
    ['10/minute', 10, 60_000],
    ['5/hour', 5, 3_600_000],
    ['100/15m', 100, 900_000],
    ['3/second', 3, 1_000],
    ['1000/day', 1_000, 86_400_000],
    ['0/minute', 0, 60_000],
  ])('%s', (spec, max, windowMs) => {
    expect(parseRateLimit(spec)).toEqual({ max, windowMs });
  });

  it.each(['10', '10/', '/minute', '10/fortnight', '-1/minute', '1.5/minute', '10 / minute', '10/minute/2', 'ten/minute', '10/60'])(
    '%j is malformed',
    (spec) => {
      expect(parseRateLimit(spec)).toBeUndefined();
    },
  );
});
