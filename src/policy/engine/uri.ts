/**
 * Resource URIs as they are matched and counted (SPEC §3): normalised as RFC 3986 §6.2.2 says
 * (scheme and host in lower case, percent-encoded unreserved characters decoded, hex digits of
 * the rest in upper case, dot segments removed), so that `FILE:///a/./b`, `file:///a/%62` and
 * `file:///a/x/../b` are one URI to the policy as they are to a server. Beyond the RFC, the
 * fragment is dropped (it names a part of the resource, not another one), and for `file:` URIs,
 * which name paths, so is the query and runs of `/` are one `/`, as the file system reads them.
 * The bytes relayed to the server are never changed.
 */
const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/s;

export function normaliseUri(uri: string): string {
  const m = URI.exec(uri);
  if (!m) return normalisePercent(uri);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2] === undefined ? undefined : normaliseAuthority(normalisePercent(m[2]));
  let path = normalisePercent(m[3]!);
  const file = scheme === 'file';
  if (file) path = path.replace(/\/{2,}/g, '/');
  if (authority !== undefined || path.startsWith('/')) path = removeDotSegments(path);
  const query = file || m[4] === undefined ? '' : normalisePercent(m[4]);
  return `${scheme}:${authority === undefined ? '' : `//${authority}`}${path}${query}`;
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

/** The path a `file:` URI names (percent-decoded), or undefined for another scheme or a URI that does not decode. */
export function filePathOf(uri: string): string | undefined {
  const m = URI.exec(uri);
  if (!m || m[1]!.toLowerCase() !== 'file') return undefined;
  try {
    return decodeURIComponent(m[3]!);
  } catch {
    return undefined;
  }
}
