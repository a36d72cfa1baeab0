import type { StateStore } from '../state/store.js';
import { type Definition, definitionDigest, definitionOf, type PinKind } from './definitions.js';
import type { PinnedDefinition } from './pin-document.js';
import { updatePins } from './pin-store.js';

/**
 * Pins what a person just saw a server list (`init`, SPEC §12): the kind's pins are replaced by
 * these definitions, with nothing waiting, so the first real session is already protected. Other
 * kinds keep their pins. Resolves to how many definitions are pinned, and how many were before.
 */
export async function pinListed(
  store: Pick<StateStore, 'readDocument' | 'writeDocument' | 'listDocuments' | 'description'>,
  grant: string,
  server: readonly string[],
  kind: PinKind,
  entries: readonly unknown[],
  now: string,
): Promise<{ pinned: number; before: number }> {
  const pins = new Map<string, PinnedDefinition>();
  const definitions = new Map<string, Definition>();
  for (const entry of entries) {
    const definition = definitionOf(kind, entry);
    if (!definition) continue;
    const name = definition.name as string;
    if (pins.has(name)) continue;
    pins.set(name, { digest: definitionDigest(definition), definition, pinnedAt: now });
    definitions.set(name, definition);
  }
  let before = 0;
  await updatePins(
    store,
    grant,
    server,
    (stored) => {
      before = stored.kinds.get(kind)?.pins.size ?? 0;
      stored.kinds.set(kind, { pinnedAt: now, updatedAt: now, pins: new Map(pins), seen: { at: now, complete: true, definitions: new Map(definitions) } });
      return true;
    },
    { replaceUnreadable: true },
  );
  return { pinned: pins.size, before };
}
