import { InvalidArgumentError } from 'commander';

/** Parsers for option values, shared by the commands: a bad value is a usage error (exit 2). */

/** A number of seconds; `allowZero` for grace periods that may be none. */
export function seconds(allowZero = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
      throw new InvalidArgumentError(`"${value}" is not a ${allowZero ? '' : 'positive '}number of seconds.`);
    }
    return n;
  };
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`"${value}" is not a whole number${max === Number.MAX_SAFE_INTEGER ? ` of ${min} or more` : ` from ${min} to ${max}`}.`);
    }
    return n;
  };
}
