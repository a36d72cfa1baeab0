import path from 'node:path';
import { PolicyError } from '../../errors.js';

const MODULE = 'mcp-guard';

/** Where cosmiconfig looks, in each directory from the working directory up to the project root (SPEC §2). */
export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `${MODULE}.config.js`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.cjs`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.json`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `.config/${MODULE}.config.json`,
  `.config/${MODULE}.config.yaml`,
  `.config/${MODULE}.config.yml`,
  `.config/${MODULE}.config.js`,
  `.config/${MODULE}.config.mjs`,
  `.config/${MODULE}.config.cjs`,
];

/**
 * The policy file to use: `--policy`, then `MCP_GUARD_POLICY`, then the first of SEARCH_PLACES
 * found from `cwd` upwards (stopping at the directory holding package.json). There is no
 * silent allow-all: nothing found is an error that says how to make a policy.
 */
export async function findPolicyFile(opts: { explicit?: string; env: NodeJS.ProcessEnv; cwd: string }): Promise<string> {
  if (opts.explicit !== undefined && opts.explicit !== '') return path.resolve(opts.cwd, opts.explicit);
  const fromEnv = opts.env.MCP_GUARD_POLICY;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(opts.cwd, fromEnv);
  // Loaded only here: an explicit policy never pays for cosmiconfig.
  const { cosmiconfig } = await import('cosmiconfig');
  // The loaders only say "a file is here": loadPolicy parses it with positions, so a broken
  // policy is reported with its line and column instead of stopping the search. Only
  // package.json must be read, to see whether it has an "mcp-guard" key.
  const present = () => ({});
  const explorer = cosmiconfig(MODULE, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: {
      '.json': (file: string, content: string) => (path.basename(file) === 'package.json' ? packageJson(content) : {}),
      '.yaml': present,
      '.yml': present,
      '.js': present,
      '.mjs': present,
      '.cjs': present,
      noExt: present,
    },
  });
  const found = await explorer.search(opts.cwd);
  if (found) return found.filepath;
  throw new PolicyError(
    `no policy found for ${opts.cwd}: pass --policy <file>, set MCP_GUARD_POLICY, or create mcp-guard.config.json ` +
      `(mcp-guard init -o mcp-guard.config.json -- <server command> writes one from the server's tools; examples/ in the package has samples)`,
    [],
    'POLICY_NOT_FOUND',
  );
}

/** package.json, read only for its "mcp-guard" key; one that does not parse simply has none. */
function packageJson(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return null;
  }
}
