import type { ServerSource } from './config-document.js';
import { type GuardForm, readGuardForm } from './guard-form.js';

/** What a server entry is: started over stdio, reached at a URL, or neither (nothing to start). */
export type Transport = 'stdio' | 'remote' | 'unknown';

export interface ServerStatus {
  transport: Transport;
  url?: string;
  command?: string;
  /** The entry's args, when it has them and they are all strings. */
  args?: string[];
  guard?: GuardForm;
  /** Why wrap or unwrap cannot edit this entry, when they cannot. */
  problem?: string;
}

// VS Code and Claude Code say `type: "http" | "sse"`; Gemini uses `httpUrl`, Windsurf `serverUrl`.
const REMOTE_TYPES = new Set(['http', 'sse', 'streamable-http', 'streamablehttp', 'ws', 'websocket']);
const URL_KEYS = ['url', 'httpUrl', 'serverUrl'];

/** Reads a server entry's transport, command line and guard form from its value. */
export function serverStatus(server: ServerSource): ServerStatus {
  const value = server.value;
  const url = URL_KEYS.map((k) => value[k]).find((v): v is string => typeof v === 'string');
  const type = typeof value.type === 'string' ? value.type.toLowerCase() : undefined;
  if (REMOTE_TYPES.has(type ?? '') || (url !== undefined && typeof value.command !== 'string')) return { transport: 'remote', ...(url !== undefined ? { url } : {}) };
  if (typeof value.command !== 'string') return { transport: 'unknown', problem: 'it has no "command" (and no URL), so there is nothing to start' };
  const command = value.command;
  if (value.args !== undefined && !(Array.isArray(value.args) && value.args.every((a) => typeof a === 'string'))) {
    return { transport: 'stdio', command, problem: '"args" is not a list of strings' };
  }
  const args = (value.args as string[] | undefined) ?? [];
  if (value.args !== undefined && !server.args?.layout) return { transport: 'stdio', command, args, problem: '"args" is not written as an array' };
  const guard = readGuardForm(command, args);
  return { transport: 'stdio', command, args, ...(guard ? { guard } : {}) };
}

/** The real server's command line in a guarded entry (after mcp-guard's `--`, and any shell wrap added). */
export function guardedServerCommand(status: ServerStatus): string[] | undefined {
  const at = status.guard?.serverCommand;
  return at === undefined ? undefined : status.args!.slice(at);
}
