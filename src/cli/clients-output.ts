import type { ServerOutcome } from '../clients/edit-configs.js';
import type { ListedConfig, ListedServer } from '../clients/list-clients.js';
import { CLIENT_NAMES, type ClientId } from '../clients/registry.js';
import { shellWord } from '../init/command-line.js';
import { stripControl } from './context.js';

/** A command line as a shell would take it back; config text is untrusted, so no control characters. */
export function commandLine(words: readonly string[]): string {
  return stripControl(words.map(shellWord).join(' '));
}

/** `github` or `github (project /src/app)`, for Claude Code's per-project entries. */
export function serverLabel(server: { name: string; project?: string }): string {
  return stripControl(server.project === undefined ? server.name : `${server.name} (project ${server.project})`);
}

/** `mcp-guard clients` for people: each file, then one line per server. */
export function formatClientList(configs: readonly ListedConfig[]): string {
  const lines: string[] = [];
  for (const config of configs) {
    lines.push(`${config.clientName} (${config.scope}): ${config.file}`);
    if (config.error !== undefined) lines.push(`  cannot be read: ${stripControl(config.error)}`);
    else if (config.servers.length === 0) lines.push('  no servers');
    const width = Math.max(0, ...config.servers.map((s) => serverLabel(s).length));
    for (const server of config.servers) lines.push(`  ${serverLabel(server).padEnd(width)}  ${describeServer(server)}`);
  }
  const servers = configs.flatMap((c) => c.servers);
  const count = (test: (s: ListedServer) => boolean) => servers.filter(test).length;
  lines.push(
    '',
    `${servers.length} server${servers.length === 1 ? '' : 's'} in ${configs.length} file${configs.length === 1 ? '' : 's'}: ${count((s) => s.guarded)} guarded, ` +
      `${count((s) => s.transport === 'stdio' && !s.guarded)} not guarded, ${count((s) => s.transport === 'remote')} remote`,
  );
  return `${lines.join('\n')}\n`;
}

function describeServer(server: ListedServer): string {
  if (server.transport === 'remote') return `remote       ${stripControl(server.url ?? '(no URL)')}  (cannot be guarded over stdio yet)`;
  if (server.transport === 'unknown') return `not a server ${server.problem ?? ''}`;
  if (server.guarded) {
    const policy = server.policy === null ? 'the policy it discovers' : stripControl(server.policy ?? '');
    return `guarded      by ${policy}${server.server ? `: ${commandLine(server.server)}` : ''}`;
  }
  const line = commandLine([server.command!, ...(server.args ?? [])]);
  return `not guarded  ${line}${server.problem !== undefined ? `  (${server.problem})` : ''}`;
}

/** One line about what wrap or unwrap did (or, with --dry-run, would do) to a server. */
export function describeOutcome(client: ClientId, outcome: ServerOutcome): string {
  const where = `${CLIENT_NAMES[client]} ${serverLabel(outcome)}`;
  const policy = stripControl(outcome.policy ?? '');
  switch (outcome.action) {
    case 'wrap':
      return `${where}: wrapped, guarded by ${policy}`;
    case 'update-policy':
      return `${where}: already guarded; policy changed from ${outcome.from === undefined ? 'the discovered one' : stripControl(outcome.from)} to ${policy}`;
    case 'already-guarded':
      return `${where}: already guarded by this policy; left as it is`;
    case 'unwrap':
      return `${where}: unwrapped; it starts without mcp-guard again`;
    case 'not-guarded':
      return `${where}: not guarded; left as it is`;
    case 'remote':
      return `${where}: a remote (URL) server; mcp-guard cannot guard it over stdio yet, so it is left as it is`;
    case 'skipped':
      return `${where}: skipped (no policy for it); left as it is`;
    case 'unsupported':
      return `${where}: not changed: ${outcome.reason}`;
  }
}
