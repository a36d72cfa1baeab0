import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SearchPathOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

async function isExecutableFile(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    // Windows has no execute bit; PATHEXT decides what runs.
    if (platform !== 'win32') await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH (with PATHEXT on Windows), as an absolute path; undefined when there is none. */
export async function findExecutable(name: string, options: SearchPathOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const pathValue = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const extensions =
    platform === 'win32' && path.extname(name) === '' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of pathValue.split(delimiter)) {
    // An empty PATH entry means the working directory to a shell; a firewall tool should not run whatever sits there.
    if (dir === '' || !path.isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}
