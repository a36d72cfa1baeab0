import type { FoundConfig } from './config-files.js';
import { CLIENT_NAMES, type ClientId, type ConfigFormat } from './registry.js';
import { guardedServerCommand, serverStatus, type Transport } from './server-status.js';

/** One server as `mcp-guard clients` reports it (the `--json` shape). */
export interface ListedServer {
  name: string;
  /** Claude Code's per-project entries: the project's directory. */
  project?: string;
  transport: Transport;
  url?: string;
  command?: string;
  args?: string[];
  guarded: boolean;
  /** The policy a guarded server names; null when mcp-guard discovers one itself. */
  policy?: string | null;
  /** For a guarded server: the real server's command line, after mcp-guard's `--`. */
  server?: string[];
  /** Why wrap or unwrap cannot edit it, when they cannot. */
  problem?: string;
}

export interface ListedConfig {
  client: ClientId;
  clientName: string;
  scope: 'user' | 'project';
  file: string;
  format: ConfigFormat;
  /** Why the file could not be read; it then has no servers listed. */
  error?: string;
  servers: ListedServer[];
}

/** Every found config with its servers, stdio or remote, and whether each is guarded and by which policy. */
export function listClientConfigs(found: readonly FoundConfig[]): ListedConfig[] {
  return found.map(({ location, document, error }) => ({
    client: location.client,
    clientName: CLIENT_NAMES[location.client],
    scope: location.scope,
    file: location.file,
    format: location.format,
    ...(error ? { error: error.message } : {}),
    servers: (document?.servers ?? []).map((server): ListedServer => {
      const status = serverStatus(server);
      const real = guardedServerCommand(status);
      return {
        name: server.name,
        ...(server.project !== undefined ? { project: server.project } : {}),
        transport: status.transport,
        ...(status.url !== undefined ? { url: status.url } : {}),
        ...(status.command !== undefined ? { command: status.command } : {}),
        ...(status.args !== undefined ? { args: status.args } : {}),
        guarded: status.guard !== undefined,
        ...(status.guard ? { policy: status.guard.policy ?? null } : {}),
        ...(real ? { server: real } : {}),
        ...(status.problem !== undefined ? { problem: status.problem } : {}),
      };
    }),
  }));
}
