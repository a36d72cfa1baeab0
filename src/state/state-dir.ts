import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where persistent state lives: `--state-dir`, else MCP_GUARD_STATE_DIR, else the platform's state directory. */
export function resolveStateDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return explicit;
  if (env.MCP_GUARD_STATE_DIR) return env.MCP_GUARD_STATE_DIR;
  const home = homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'mcp-guard');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'mcp-guard');
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'mcp-guard');
}
