import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuardLauncher } from './server-transform.js';

/**
 * How a client config starts this mcp-guard: this Node.js binary, running this package's
 * `bin/mcp-guard.js`, both absolute. Clients start servers without a shell and, as GUI apps,
 * often without the user's PATH, so a bare `mcp-guard` may not be found; on Windows the npm
 * shim `mcp-guard.cmd` would need `cmd /c`. `node.exe` and a script need neither.
 */
export async function currentLauncher(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<GuardLauncher> {
  return { command: await stableNodePath(process.execPath, env, platform), script: fileURLToPath(new URL('../../bin/mcp-guard.js', import.meta.url)) };
}

/**
 * The `node` on PATH when it is this same binary: `/usr/local/bin/node` or
 * `/opt/homebrew/bin/node` outlive an upgrade, the versioned folder they point into does not.
 */
async function stableNodePath(execPath: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string> {
  const self = await realpath(execPath).catch(() => execPath);
  const name = platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of (env.PATH ?? env.Path ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if ((await realpath(candidate).catch(() => undefined)) === self) return candidate;
  }
  return execPath;
}
