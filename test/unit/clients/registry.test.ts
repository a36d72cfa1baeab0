import { describe, expect, it } from 'vitest';
import { configLocations } from '../../../src/clients/registry.js';

const files = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string, cwd: string, client?: Parameters<typeof configLocations>[1]) =>
  configLocations({ platform, env, home, cwd }, client).map((l) => `${l.client} ${l.scope} ${l.file}`);

describe('configLocations', () => {
  it('on Linux, follows XDG_CONFIG_HOME (default ~/.config) and CODEX_HOME', () => {
    expect(files('linux', {}, '/home/me', '/src/app')).toEqual([
      'claude-desktop user /home/me/.config/Claude/claude_desktop_config.json',
      'claude-code user /home/me/.claude.json',
      'claude-code project /src/app/.mcp.json',
      'cursor user /home/me/.cursor/mcp.json',
      'cursor project /src/app/.cursor/mcp.json',
      'vscode user /home/me/.config/Code/User/mcp.json',
      'vscode project /src/app/.vscode/mcp.json',
      'windsurf user /home/me/.codeium/windsurf/mcp_config.json',
      'codex user /home/me/.codex/config.toml',
      'codex project /src/app/.codex/config.toml',
      'gemini user /home/me/.gemini/settings.json',
      'gemini project /src/app/.gemini/settings.json',
    ]);
    expect(files('linux', { XDG_CONFIG_HOME: '/xdg', CODEX_HOME: '/codex' }, '/home/me', '/src/app', 'claude-desktop')).toEqual(['claude-desktop user /xdg/Claude/claude_desktop_config.json']);
    expect(files('linux', { CODEX_HOME: '/codex' }, '/home/me', '/src/app', 'codex')[0]).toBe('codex user /codex/config.toml');
  });

  it('on macOS and Windows, uses the application-support and APPDATA folders', () => {
    expect(files('darwin', {}, '/Users/me', '/src', 'claude-desktop')).toEqual(['claude-desktop user /Users/me/Library/Application Support/Claude/claude_desktop_config.json']);
    expect(files('darwin', {}, '/Users/me', '/src', 'vscode')[0]).toBe('vscode user /Users/me/Library/Application Support/Code/User/mcp.json');
    expect(files('win32', { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'C:\\Users\\me', 'C:\\src', 'claude-desktop')).toEqual([
      'claude-desktop user C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    ]);
    expect(files('win32', {}, 'C:\\Users\\me', 'C:\\src', 'windsurf')).toEqual(['windsurf user C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json']);
  });

  it('lists a project file that is the user file (run from the home directory) once', () => {
    expect(files('linux', {}, '/home/me', '/home/me', 'cursor')).toEqual(['cursor user /home/me/.cursor/mcp.json']);
  });
});
