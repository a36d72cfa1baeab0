import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { badStateUrl } from './state-errors.js';

export interface SqliteLocation {
  kind: 'sqlite';
  /** Absolute, `~` expanded. */
  dir: string;
  description: string;
}

export interface RedisLocation {
  kind: 'redis';
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** The URL without its password: what messages show. */
  description: string;
}

export type StateLocation = SqliteLocation | RedisLocation;

/** `~` and `~/…` expanded to the home directory. */
export function expandHome(path: string, home = homedir()): string {
  return path === '~' || path.startsWith('~/') ? `${home}${path.slice(1)}` : path;
}

/** A state directory as given (`--state-dir`, MCP_GUARD_STATE_DIR): `~` expanded, made absolute against `base`. */
export function sqliteLocation(dir: string, base = process.cwd()): SqliteLocation {
  const full = resolve(base, expandHome(dir));
  return { kind: 'sqlite', dir: full, description: `sqlite:${full}` };
}

/**
 * Parses a state URL (SPEC §13): `sqlite:<dir>` (also `sqlite://<abs dir>`), `redis://[user[:password]@]host[:port][/db]`
 * or `rediss://…` (TLS). `from` names where it came from, for the message; relative sqlite dirs
 * are taken against `base`.
 */
export function parseStateUrl(text: string, from: string, base = process.cwd()): StateLocation {
  const hint = `use sqlite:<dir>, redis://[user:password@]host[:port][/db] or rediss://… (TLS)`;
  if (/^sqlite:/i.test(text)) {
    let dir = text.slice('sqlite:'.length);
    if (dir.startsWith('//')) dir = dir.slice(2);
    if (dir === '') throw badStateUrl(`${from} "${text}" names no directory; ${hint}`);
    return sqliteLocation(dir, base);
  }
  if (!/^rediss?:\/\//i.test(text)) throw badStateUrl(`${from} "${redact(text)}" is not a state URL; ${hint}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badStateUrl(`${from} "${redact(text)}" is not a valid URL; ${hint}`);
  }
  if (url.hostname === '') throw badStateUrl(`${from} "${redact(text)}" names no host; ${hint}`);
  if (url.search !== '' || url.hash !== '') {
    throw badStateUrl(`${from} "${redact(text)}": a Redis state URL takes no query or fragment (only user, password, host, port and db index)`);
  }
  const path = url.pathname === '' ? '/' : url.pathname;
  if (!/^\/\d{0,5}$/.test(path)) throw badStateUrl(`${from} "${redact(text)}": the path must be a database index, like /0`);
  const tls = url.protocol.toLowerCase() === 'rediss:';
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = path === '/' ? 0 : Number(path.slice(1));
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const scheme = tls ? 'rediss' : 'redis';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    kind: 'redis',
    host,
    port,
    db,
    username,
    password,
    tls,
    description: `${scheme}://${username ? `${encodeURIComponent(username)}@` : ''}${url.hostname}:${port}/${db}`,
  };
}

/** A URL with any password replaced by `***`, for messages about a URL that did not parse. */
function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
