import { stripEnds } from './path-readings.js';

/**
 * Resource URIs as they are matched and counted (SPEC §3): normalised as RFC 3986 §6.2.2 says
 * (scheme and host in lower case, percent-encoded unreserved characters decoded, hex digits of
 * the rest in upper case, dot segments removed), so that `FILE:///a/./b`, `file:///a/%62` and
 * `file:///a/x/../b` are one URI to the policy as they are to a server. Beyond the RFC, the
 * fragment is dropped (it names a part of the resource, not another one), and so are spaces at
 * either end (URL parsers strip them). `file:` URIs name paths, and are reduced to the path a
 * server could open, whichever way it reads them: `\` is `/` (WHATWG URL parsers, Windows), the
 * host is dropped (`localhost` means this machine; Python servers that take `urlparse(uri).path`
 * ignore any other), `file:/a` and `file:a` are `file:///a`, `%2F` and `%5C` are separators
 * (servers that percent-decode the path read them so), runs of `/` are one `/`, and the query
 * is dropped. The bytes relayed to the server are never changed.
 */
const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s;

export function normaliseUri(uri: string): string {
  const text = asUrlParsersRead(uri);
  if (FILE.test(text)) return `file://${removeDotSegments(filePath(text))}`;
  const m = URI.exec(text);
  if (!m) return normalisePercent(text);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2] === undefined ? undefined : normaliseAuthority(normalisePercent(m[2]));
  let path = normalisePercent(m[3]!);
  if (authority !== undefined || path.startsWith('/')) path = removeDotSegments(path);
  const query = m[4] === undefined ? '' : normalisePercent(m[4]);
  return `${scheme}:${authority === undefined ? '' : `//${authority}`}${path}${query}`;
}

const FILE = /^file:/i;

const isC0OrSpace = (c: number): boolean => c <= 0x20;

/**
 * The text a WHATWG URL parser parses: tabs and newlines anywhere removed, controls and spaces at
 * either end stripped (so `fi\tle:///x` and `\u0001file:///x` are `file:///x` to a server that
 * tries an argument as a URL first), and other white space at either end too.
 */
export function asUrlParsersRead(text: string): string {
  // Stripped with loops (stripEnds), not `/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g`: that
  // expression is tried at every position of a run of spaces and scans to its end each time, so a
  // string argument with a colon and 64,000 spaces in it took 3.4 s to judge.
  return stripEnds(text.replace(/[\t\n\r]/g, ''), isC0OrSpace).trim();
}

/**
 * The path part of a `file:` URI in one spelling: every escape decoded (`%2F` and `%5C` are
 * separators then), `\` as `/`, the host dropped, then white space, controls, `"<>`` ` ``, `%`
 * and non-ASCII characters encoded again (upper-case hex), so `my docs`, `my%20docs` and
 * `%6Dy docs` are one path, as they are to a server that decodes them. An escape that is not
 * UTF-8 stays as written. One leading `/`, no runs of `/`; dot segments are left in place.
 */
function filePath(fileUri: string, collapseRuns = true): string {
  const m = URI.exec(fileUri.replace(/\\/g, '/'))!;
  const path = respell(m[3]!, (decoded) => encodePathCharacters(decoded.replace(/\\/g, '/')));
  const absolute = path.startsWith('/') ? path : `/${path}`;
  return collapseRuns ? absolute.replace(/\/{2,}/g, '/') : absolute;
}

/**
 * A `file:` path as WHATWG URL parsers (Node's `new URL`) read it: `..` applied before runs of
 * `/` are merged, so the empty segment of `//` is what `..` removes (`/a//../b` is `/a/b` to them,
 * `/b` to the kernel).
 */
function urlParserPath(text: string): string {
  return removeDotSegments(filePath(text, false)).replace(/\/{2,}/g, '/');
}

/**
 * Every normalised form of a URI a server may act on: `normaliseUri`'s, and for a `file:` URI
 * whose `//` before a `..` URL parsers read otherwise, theirs too. The policy must allow all of them.
 */
export function uriReadings(uri: string): string[] {
  const normal = normaliseUri(uri);
  const text = asUrlParsersRead(uri);
  if (!FILE.test(text)) return [normal];
  const parsed = `file://${urlParserPath(text)}`;
  return parsed === normal ? [normal] : [normal, parsed];
}

/** Characters a file path keeps percent-encoded in its one spelling (and `%` itself). */
const ENCODED = /[\u0000-\u0020"%<>`\u007f-\u{10ffff}]/gu;

function encodePathCharacters(text: string): string {
  return text.replace(ENCODED, (c) => {
    const code = c.codePointAt(0)!;
    if (code < 0xd800 || code > 0xdfff) return encodeURIComponent(c);
    // A lone surrogate (no UTF-8 for it): its three bytes as WTF-8 writes them.
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  });
}

/**
 * The text with each run of escapes decoded as UTF-8 and passed to `decoded` (a run that does
 * not decode is kept as written, in upper-case hex), and the text between runs to `raw`.
 */
function respell(text: string, raw: (text: string) => string, decoded: (text: string) => string = raw): string {
  let out = '';
  let at = 0;
  for (const run of text.matchAll(/(?:%[0-9a-fA-F]{2})+/g)) {
    out += raw(text.slice(at, run.index));
    let value: string | undefined;
    try {
      value = decodeURIComponent(run[0]);
    } catch {
      value = undefined;
    }
    out += value === undefined ? run[0].toUpperCase() : decoded(value);
    at = run.index + run[0].length;
  }
  return out + raw(text.slice(at));
}

/** Each run of escapes decoded as UTF-8, left as written where it does not decode. */
function decodeLeniently(text: string): string {
  return text.includes('%') ? respell(text, (t) => t) : text;
}

/**
 * A `file:` glob of the policy in the spelling `normaliseUri` gives the URIs it is matched
 * against: no host, one leading `/`, escapes decoded and encoded again as there (a decoded glob
 * character escaped with `\`), raw characters that spelling encodes encoded, runs of `/` as one.
 * Glob syntax and glob escapes are left as written. Other globs are returned as they are.
 */
export function normaliseFileGlob(glob: string): string {
  const head = /^file:(?:\/\/[^/]*)?/i.exec(glob);
  if (!head) return glob;
  const rest = glob.slice(head[0].length);
  const body = (rest.startsWith('/') ? rest : `/${rest}`)
    .split(/(\\.)/s)
    .map((part, i) => (i % 2 === 1 ? part : respell(part, (text) => text.replace(/\/{2,}/g, '/').replace(/[^*?[\]{}]+/g, encodePathCharacters), decodedGlobText)))
    .join('');
  return `file://${body}`;
}

/** Decoded text in a glob: separators as `/`, glob characters escaped, the rest spelled as in a path. */
function decodedGlobText(text: string): string {
  return text.replace(/\\/g, '/').replace(/[*?[\]{}]|[^*?[\]{}]+/g, (part) => (/^[*?[\]{}]$/.test(part) ? `\\${part}` : encodePathCharacters(part)));
}

/** `%7e` → `~`, `%2f` → `%2F`: unreserved characters decoded, the rest in upper-case hex. */
function normalisePercent(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9a-fA-F]{2})/g, (_all, hex: string) => {
    const code = parseInt(hex, 16);
    const char = String.fromCharCode(code);
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** Lower-cases the host of `userinfo@host:port`, leaving the user information as written. */
function normaliseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  return at === -1 ? authority.toLowerCase() : authority.slice(0, at + 1) + authority.slice(at + 1).toLowerCase();
}

/** RFC 3986 §5.2.4. */
function removeDotSegments(path: string): string {
  const input = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const segment = input[i]!;
    const last = i === input.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop();
      // A trailing `.` or `..` leaves the path ending in `/`.
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  return path.startsWith('/') && !joined.startsWith('/') ? `/${joined}` : joined;
}

/**
 * The paths a `file:` URI can name (percent-decoded), or undefined for another scheme: as the
 * kernel reads it (`..` after symlinks, Python servers that open `urlparse(uri).path`), with its
 * `..` removed first (WHATWG URL parsers, Node's `fileURLToPath`), and, when it has a `\`, with
 * that taken literally (a POSIX file name) too. Escapes that do not decode stay as written.
 */
export function filePathsOf(uri: string): string[] | undefined {
  // Every string argument of a call comes here: most have no colon, and are no URI at all.
  if (!uri.includes(':')) return undefined;
  const text = asUrlParsersRead(uri);
  if (!FILE.test(text)) return undefined;
  const decode = decodeLeniently;
  const physical = filePath(text);
  const paths = new Set([decode(physical), decode(removeDotSegments(physical)), decode(urlParserPath(text))]);
  if (text.includes('\\')) paths.add(decode(`/${URI.exec(text)![3]!}`.replace(/\/{2,}/g, '/')));
  return [...paths];
}
