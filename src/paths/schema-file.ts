import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The policy's JSON Schema as it ships in the package (`schema/policy.schema.json`, next to
 * `dist/` and `src/`): in a clone, a global install or an unpacked tarball alike.
 */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/policy.schema.json', import.meta.url));

/** The schema as a `file:` URL, which is what `$schema` takes for a file on this machine. */
export const SCHEMA_URL = pathToFileURL(SCHEMA_FILE).href;
