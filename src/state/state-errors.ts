import { GuardError } from '../errors.js';

/**
 * The store cannot be used (unreachable, closed, a database that does not open). Callers refuse
 * the calls that need it (fail closed); the message names the store, never its password.
 */
export function stateUnavailable(description: string, why: string, cause?: unknown): GuardError {
  return new GuardError('STATE_UNAVAILABLE', `the state store ${description} cannot be used: ${why}`, { data: { store: description }, cause });
}

/** A state location other users could write to or own (SPEC §9): refused like ssh refuses such keys, exit 2. */
export function stateInsecure(message: string, path: string): GuardError {
  return new GuardError('STATE_INSECURE', message, { exitCode: 2, data: { path } });
}

/** A state URL that names no backend mcp-guard has: exit 2. */
export function badStateUrl(message: string): GuardError {
  return new GuardError('STATE_URL_INVALID', message, { exitCode: 2 });
}
