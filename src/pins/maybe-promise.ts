/**
 * The state store answers synchronously (SQLite) or with a promise (Redis), and the relay keeps
 * its single-tick path when the answer is at hand: these helpers carry on either way.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `fn(value)`, now if the value is here, else once it arrives. */
export function andThen<T, R>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Calls `done` with the result of `run` (or `failed` with what it threw or rejected with), at once when it can. */
export function whenSettled<T>(run: () => MaybePromise<T>, done: (value: T) => void, failed: (error: unknown) => void): void {
  let value: MaybePromise<T>;
  try {
    value = run();
  } catch (error) {
    failed(error);
    return;
  }
  if (value instanceof Promise) value.then(done, failed);
  else done(value);
}
