import { bodyDigest, type Definition, definitionDigest, PIN_KINDS, type PinKind } from './definitions.js';
import type { KindPins, PinnedDefinition, ServerPins } from './pin-document.js';

/** How one definition a server lists compares with its pin. */
export type PinStatus = 'pinned' | 'changed' | 'new';

export function statusOf(kind: KindPins | undefined, name: string, digest: string): PinStatus {
  const pin = kind?.pins.get(name);
  return !pin ? 'new' : pin.digest === digest ? 'pinned' : 'changed';
}

/** One change waiting for a person: what `pins diff` shows and `pins accept` accepts. */
export type PendingChange =
  | { kind: PinKind; change: 'changed'; name: string; pinned: PinnedDefinition; current: Definition; currentDigest: string }
  | { kind: PinKind; change: 'new'; name: string; current: Definition; currentDigest: string }
  | { kind: PinKind; change: 'removed'; name: string; pinned: PinnedDefinition }
  /** A definition no longer listed under `from` that is listed, unchanged apart from its name and title, as `name`. */
  | { kind: PinKind; change: 'renamed'; name: string; from: string; pinned: PinnedDefinition; current: Definition; currentDigest: string };

/**
 * The changes a server's pins are waiting on, from the listing a session last saw: changed and
 * new definitions, pins that listing (read to its end) no longer had, and renames (a new name
 * whose definition, name and title aside, is exactly that of a pin no longer listed).
 */
export function pendingChanges(pins: ServerPins): PendingChange[] {
  const out: PendingChange[] = [];
  for (const kind of PIN_KINDS) {
    const k = pins.kinds.get(kind);
    if (!k?.seen) continue;
    const seen = k.seen;
    const added: Array<{ name: string; current: Definition; currentDigest: string }> = [];
    for (const [name, current] of seen.definitions) {
      const currentDigest = definitionDigest(current);
      const pinned = k.pins.get(name);
      if (!pinned) added.push({ name, current, currentDigest });
      else if (pinned.digest !== currentDigest) out.push({ kind, change: 'changed', name, pinned, current, currentDigest });
    }
    const removed = new Map<string, PinnedDefinition>();
    if (seen.complete) for (const [name, pinned] of k.pins) if (!seen.definitions.has(name)) removed.set(name, pinned);
    // Renames: each removed pin pairs with at most one new name, in listing order.
    const removedByBody = new Map<string, string[]>();
    for (const [name, pinned] of removed) {
      const body = bodyDigest(pinned.definition);
      removedByBody.set(body, [...(removedByBody.get(body) ?? []), name]);
    }
    for (const a of added) {
      const from = removedByBody.get(bodyDigest(a.current))?.shift();
      if (from === undefined) {
        out.push({ kind, change: 'new', ...a });
        continue;
      }
      out.push({ kind, change: 'renamed', name: a.name, from, pinned: removed.get(from)!, current: a.current, currentDigest: a.currentDigest });
      removed.delete(from);
    }
    for (const [name, pinned] of removed) out.push({ kind, change: 'removed', name, pinned });
  }
  return out;
}

/** The names a change answers to in `pins accept`: a rename answers to its old name as well. */
export function namesOf(change: PendingChange): string[] {
  return change.change === 'renamed' ? [change.name, change.from] : [change.name];
}

/**
 * Accepts changes into the pins (in place): a changed, new or renamed definition is pinned as
 * last seen; a removed one (and a rename's old name) is forgotten, so that if it comes back it
 * is new.
 */
export function acceptChanges(pins: ServerPins, accepted: readonly PendingChange[], now: string): void {
  for (const c of accepted) {
    const k = pins.kinds.get(c.kind)!;
    k.updatedAt = now;
    if (c.change === 'removed') k.pins.delete(c.name);
    else if (c.change === 'renamed') k.pins.delete(c.from);
    if (c.change !== 'removed') k.pins.set(c.name, { digest: c.currentDigest, definition: c.current, pinnedAt: now });
  }
}
