import { UsageError } from '../errors.js';
import { nearest } from '../policy/checks/suggest.js';
import type { ServerSource } from './config-document.js';
import type { FoundConfig } from './config-files.js';

/**
 * Which servers `--server NAME...` picks: those names, in every config searched; all servers
 * without it. A name that no config has is a mistake on the command line, not an empty choice.
 */
export function selectServers(found: readonly FoundConfig[], names: readonly string[] | undefined): (server: ServerSource) => boolean {
  if (names === undefined || names.length === 0) return () => true;
  const known = new Set(found.flatMap((c) => c.document?.servers.map((s) => s.name) ?? []));
  for (const name of names) {
    if (known.has(name)) continue;
    const guess = nearest(name, known);
    const listing = known.size > 0 ? `the servers found are: ${[...known].sort().join(', ')}` : 'no servers were found at all';
    throw new UsageError(`no server named "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; ${listing}`);
  }
  const wanted = new Set(names);
  return (server) => wanted.has(server.name);
}
