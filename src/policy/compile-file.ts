import { PolicyError } from '../errors.js';
import { type CompiledPolicy, compilePolicy } from './engine/compile.js';
import { hostFileSystem } from './host-file-system.js';
import { type LoadedPolicy, loadPolicy } from './load.js';

/**
 * Loads, validates and compiles a policy file for judging on this machine (`x-path-within`
 * resolves paths in the real file system). A policy with errors throws a PolicyError (exit 2).
 */
export async function loadCompiledPolicy(file: string): Promise<{ loaded: LoadedPolicy; policy: CompiledPolicy }> {
  const loaded = await loadPolicy(file);
  try {
    return { loaded, policy: await compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() }) };
  } catch (error) {
    throw new PolicyError(`${loaded.file}: ${(error as Error).message}`);
  }
}
