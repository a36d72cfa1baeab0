import { createHash } from 'node:crypto';
import { type Definition, definitionDigest, PIN_KINDS, type PinKind } from './definitions.js';

/** The state store's document kind for pins (src/state/store.ts). */
export const PINS_DOCUMENT_KIND = 'pins';

/** One pinned definition: what a person accepted (or what was first seen), and when. */
export interface PinnedDefinition {
  digest: string;
  definition: Definition;
  pinnedAt: string;
}

/**
 * The kind's definitions as a session last listed them, so that `pins diff` and `pins accept`
 * can work from another terminal: what differs from the pins is what waits for a person.
 * `complete` when the listing was read to its last page (only then is a pin it lacks removed).
 */
export interface LastSeen {
  at: string;
  complete: boolean;
  definitions: Map<string, Definition>;
}

export interface KindPins {
  /** When this kind was first pinned. */
  pinnedAt: string;
  /** When a person last accepted a change (or init pinned it again). */
  updatedAt: string;
  pins: Map<string, PinnedDefinition>;
  seen: LastSeen | undefined;
}

/** The pins of one server (grant and command line). Maps, never plain objects: names are untrusted (`__proto__`). */
export interface ServerPins {
  grant: string;
  server: string[];
  kinds: Map<PinKind, KindPins>;
}

const FORMAT = 1;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The prefix of every pins key of a grant. */
export function grantKeyPrefix(grant: string): string {
  return `${hash(grant)}/`;
}

/**
 * The key of a server's pins: digests of the grant and of the command line (as words), so no
 * grant id or argument can collide with another by containing a separator.
 */
export function pinKey(grant: string, server: readonly string[]): string {
  return `${grantKeyPrefix(grant)}${hash(JSON.stringify(server))}`;
}

export function emptyServerPins(grant: string, server: readonly string[]): ServerPins {
  return { grant, server: [...server], kinds: new Map() };
}

export class PinDocumentError extends Error {}

/** A stored document as ServerPins; throws PinDocumentError for one that is not a pins document of this format. */
export function readServerPins(value: unknown): ServerPins {
  const doc = objectOf(value, 'the document');
  if (doc.format !== FORMAT) throw new PinDocumentError(`the document has format ${JSON.stringify(doc.format)}, not ${FORMAT}`);
  if (typeof doc.grant !== 'string') throw new PinDocumentError('the document has no grant');
  if (!Array.isArray(doc.server) || !doc.server.every((w) => typeof w === 'string')) throw new PinDocumentError('the document has no server command line');
  const kinds = new Map<PinKind, KindPins>();
  for (const kind of PIN_KINDS) {
    if (!Object.hasOwn(doc, kind) || doc[kind] === undefined) continue;
    const stored = objectOf(doc[kind], kind);
    const pins = new Map<string, PinnedDefinition>();
    for (const [name, pin] of Object.entries(objectOf(stored.pins, `${kind}.pins`))) {
      const p = objectOf(pin, `${kind}.pins.${name}`);
      const definition = objectOf(p.definition, `${kind}.pins.${name}.definition`);
      pins.set(name, { digest: definitionDigest(definition), definition, pinnedAt: stringOf(p.pinnedAt) });
    }
    let seen: LastSeen | undefined;
    if (stored.seen !== undefined && stored.seen !== null) {
      const p = objectOf(stored.seen, `${kind}.seen`);
      const definitions = new Map(Object.entries(objectOf(p.definitions, `${kind}.seen.definitions`)).map(([n, d]) => [n, objectOf(d, `${kind}.seen.definitions.${n}`)]));
      seen = { at: stringOf(p.at), complete: p.complete === true, definitions };
    }
    kinds.set(kind, { pinnedAt: stringOf(stored.pinnedAt), updatedAt: stringOf(stored.updatedAt ?? stored.pinnedAt), pins, seen });
  }
  return { grant: doc.grant, server: doc.server as string[], kinds };
}

/**
 * ServerPins as stored. The digest of each definition is stored for people and tools reading
 * the store; reading computes it again from the definition, so an edited digest proves nothing.
 */
export function storedServerPins(pins: ServerPins): Record<string, unknown> {
  const out: Record<string, unknown> = { format: FORMAT, grant: pins.grant, server: pins.server };
  for (const [kind, k] of pins.kinds) {
    out[kind] = {
      pinnedAt: k.pinnedAt,
      updatedAt: k.updatedAt,
      pins: record([...k.pins].map(([name, p]) => [name, { digest: p.digest, pinnedAt: p.pinnedAt, definition: p.definition }])),
      ...(k.seen ? { seen: { at: k.seen.at, complete: k.seen.complete, definitions: record([...k.seen.definitions]) } } : {}),
    };
  }
  return out;
}

/** A copy that can be changed without changing `pins` (definitions themselves are never changed). */
export function copyServerPins(pins: ServerPins): ServerPins {
  const kinds = new Map<PinKind, KindPins>();
  for (const [kind, k] of pins.kinds) kinds.set(kind, { ...k, pins: new Map(k.pins), seen: k.seen && { ...k.seen, definitions: new Map(k.seen.definitions) } });
  return { grant: pins.grant, server: [...pins.server], kinds };
}

/** A null-prototype object from entries: a name like `__proto__` is a member like any other. */
function record(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PinDocumentError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
