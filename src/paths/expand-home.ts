import { homedir } from 'node:os';
import path from 'node:path';

/**
 * `~` and `~/…` (also `~\…` on Windows) with the home directory put in, as a shell would.
 * Client configs (JSON) start mcp-guard without a shell, so nobody else expands them; every
 * path mcp-guard is given goes through here. `~user` is left alone.
 */
export function expandHome(value: string, home: string = homedir(), platform: NodeJS.Platform = process.platform): string {
  if (value === '~') return home;
  if (value.startsWith('~/') || (platform === 'win32' && value.startsWith('~\\'))) return path.join(home, value.slice(2));
  return value;
}
