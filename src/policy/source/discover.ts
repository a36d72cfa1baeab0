import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PolicyError } from '../../errors.js';

const MODULE = 'mcp-guard';

/**
 * Where discovery looks, in each directory from the working directory up to the project root
 * (SPEC §2): cosmiconfig's names for module `mcp-guard`, data files only. No `package.json` key
 * and no JavaScript: a policy is data and must never run code.
 */
export const SEARCH_PLACES = [
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.json`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `.config/${MODULE}.config.json`,
  `.config/${MODULE}.config.yaml`,
  `.config/${MODULE}.config.yml`,
];

/** A directory holding one of these is the project root, where the search stops (cosmiconfig's "project" strategy). */
const PROJECT_MARKERS = ['package.json', 'package.yaml'];

/**
 * The policy file to use: `--policy`, then `MCP_GUARD_POLICY`, then the first of SEARCH_PLACES
 * found from `cwd` upwards, stopping at the directory that holds package.json. There is no
 * silent allow-all: nothing found is an error that says how to make a policy.
 *
 * The walk is our own rather than cosmiconfig's: cosmiconfig reads a "meta" configuration
 * (`.config/config.js`, `package.json#cosmiconfig`) from the working directory before every
 * search and runs it if it is JavaScript, which a policy search must never do.
 */
export async function findPolicyFile(opts: { explicit?: string; env: NodeJS.ProcessEnv; cwd: string }): Promise<string> {
  if (opts.explicit !== undefined && opts.explicit !== '') return path.resolve(opts.cwd, opts.explicit);
  const fromEnv = opts.env.MCP_GUARD_POLICY;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(opts.cwd, fromEnv);
  for (let dir = path.resolve(opts.cwd); ; ) {
    for (const place of SEARCH_PLACES) {
      const candidate = path.join(dir, place);
      if (await isFile(candidate)) return candidate;
    }
    const markers = await Promise.all(PROJECT_MARKERS.map((m) => isFile(path.join(dir, m))));
    const parent = path.dirname(dir);
    if (markers.includes(true) || parent === dir) break;
    dir = parent;
  }
  throw new PolicyError(
    `no policy found for ${opts.cwd}: pass --policy <file>, set MCP_GUARD_POLICY, or create mcp-guard.config.json ` +
      `(mcp-guard init -o mcp-guard.config.json -- <server command> writes one from the server's tools; examples/ in the package has samples)`,
    [],
    'POLICY_NOT_FOUND',
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
