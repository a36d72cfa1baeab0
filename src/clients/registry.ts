import os from 'node:os';
import path from 'node:path';

/**
 * The MCP clients mcp-guard knows, and where each keeps its server list. Sources for every
 * location and key are in docs/client-configs.md; keep the two in step.
 */
export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'codex', 'gemini'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export const CLIENT_NAMES: Record<ClientId, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
  windsurf: 'Windsurf',
  codex: 'Codex',
  gemini: 'Gemini CLI',
};

/** What locations are resolved from: injectable, so tests point every client at a temporary HOME. */
export interface ClientEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The user's home directory. */
  home: string;
  /** Where project-level files (`.mcp.json`, `.vscode/mcp.json`...) are looked up. */
  cwd: string;
}

export type ConfigFormat = 'json' | 'toml';

/** One file a client may read MCP servers from. */
export interface ConfigLocation {
  client: ClientId;
  /** `user` files apply everywhere; `project` files to the working directory's project. */
  scope: 'user' | 'project';
  file: string;
  format: ConfigFormat;
  /** The key holding the servers: `mcpServers`, `servers` (VS Code) or `mcp_servers` (Codex). */
  serversKey: string;
  /** Claude Code's `~/.claude.json` also holds per-project servers under `projects[<path>].mcpServers`. */
  projectEntries?: boolean;
}

/** The process's own environment. */
export function currentEnvironment(): ClientEnvironment {
  return { platform: process.platform, env: process.env, home: homeDirectory(process.env, process.platform), cwd: process.cwd() };
}

function homeDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
}

/** Every file each client may keep MCP servers in, for the given environment, in a stable order. */
export function configLocations(environment: ClientEnvironment, only?: ClientId): ConfigLocation[] {
  const { platform, env, home, cwd } = environment;
  const p = platform === 'win32' ? path.win32 : path.posix;
  // Electron apps keep their settings in the platform's application-data folder.
  const appData = platform === 'darwin' ? p.join(home, 'Library', 'Application Support') : platform === 'win32' ? (env.APPDATA ?? p.join(home, 'AppData', 'Roaming')) : env.XDG_CONFIG_HOME || p.join(home, '.config');
  const codexHome = env.CODEX_HOME || p.join(home, '.codex');
  const all: ConfigLocation[] = [
    { client: 'claude-desktop', scope: 'user', file: p.join(appData, 'Claude', 'claude_desktop_config.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'claude-code', scope: 'user', file: p.join(home, '.claude.json'), format: 'json', serversKey: 'mcpServers', projectEntries: true },
    { client: 'claude-code', scope: 'project', file: p.join(cwd, '.mcp.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'cursor', scope: 'user', file: p.join(home, '.cursor', 'mcp.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'cursor', scope: 'project', file: p.join(cwd, '.cursor', 'mcp.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'vscode', scope: 'user', file: p.join(appData, 'Code', 'User', 'mcp.json'), format: 'json', serversKey: 'servers' },
    { client: 'vscode', scope: 'project', file: p.join(cwd, '.vscode', 'mcp.json'), format: 'json', serversKey: 'servers' },
    { client: 'windsurf', scope: 'user', file: p.join(home, '.codeium', 'windsurf', 'mcp_config.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'codex', scope: 'user', file: p.join(codexHome, 'config.toml'), format: 'toml', serversKey: 'mcp_servers' },
    { client: 'codex', scope: 'project', file: p.join(cwd, '.codex', 'config.toml'), format: 'toml', serversKey: 'mcp_servers' },
    { client: 'gemini', scope: 'user', file: p.join(home, '.gemini', 'settings.json'), format: 'json', serversKey: 'mcpServers' },
    { client: 'gemini', scope: 'project', file: p.join(cwd, '.gemini', 'settings.json'), format: 'json', serversKey: 'mcpServers' },
  ];
  // Run from the home directory, a project file is the user file: list it once.
  const seen = new Set<string>();
  return all.filter((l) => (only === undefined || l.client === only) && !seen.has(l.file) && seen.add(l.file));
}
