import { GuardError } from '../errors.js';

export interface PinTarget {
  /** The grant the new policy will have: its file's absolute path, or --grant. */
  grant: string;
  state?: string | undefined;
  stateDir?: string | undefined;
}

/**
 * Pins the tool definitions init saw (SPEC §12) under the grant the new policy will have, so its
 * first session is already protected. A store that cannot be used is reported, not fatal: the
 * policy is written, and its first session pins the tools when the server first lists them.
 */
export async function pinInitTools(report: (message: string) => void, command: string[], tools: unknown[], target: PinTarget): Promise<void> {
  const [{ openStateStore }, { pinListed }] = await Promise.all([import('../state/open-store.js'), import('../pins/pin-listed.js')]);
  try {
    const store = await openStateStore({ state: target.state, stateDir: target.stateDir });
    try {
      const { pinned, before } = await pinListed(store, target.grant, command, 'tools', tools, new Date().toISOString());
      report(`pinned ${pinned} tool definition${pinned === 1 ? '' : 's'} under ${target.grant} in ${store.description}${before > 0 ? ` (replacing ${before} pinned before)` : ''}`);
    } finally {
      await store.close();
    }
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    report(`the tools were not pinned: ${error.message}; the first session under the policy pins them when the server first lists them`);
  }
}
