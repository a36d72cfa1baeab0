import { GuardError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import { andThen, type MaybePromise } from './maybe-promise.js';
import { emptyServerPins, grantKeyPrefix, PinDocumentError, PINS_DOCUMENT_KIND, pinKey, readServerPins, type ServerPins, storedServerPins } from './pin-document.js';

type DocumentStore = Pick<StateStore, 'readDocument' | 'writeDocument' | 'listDocuments' | 'description'>;

/** A server's pins as read, with the version a write must name (undefined: none stored yet). */
export interface ReadPins {
  pins: ServerPins | undefined;
  version: number | undefined;
}

/** Writers racing on one document: past this many lost compare-and-sets something is wrong. */
const MAX_ATTEMPTS = 20;

function unreadable(store: DocumentStore, key: string, error: PinDocumentError): GuardError {
  return new GuardError('PINS_UNREADABLE', `the pins stored under ${key} in ${store.description} cannot be read (${error.message}); pin the server again with mcp-guard init, which replaces them`);
}

function parse(store: DocumentStore, key: string, value: unknown): ServerPins {
  try {
    return readServerPins(value);
  } catch (error) {
    if (error instanceof PinDocumentError) throw unreadable(store, key, error);
    throw error;
  }
}

/** Reads the pins of one server of a grant. */
export function readPins(store: DocumentStore, grant: string, server: readonly string[]): MaybePromise<ReadPins> {
  const key = pinKey(grant, server);
  return andThen(store.readDocument(PINS_DOCUMENT_KIND, key), (doc) => (doc ? { pins: parse(store, key, doc.value), version: doc.version } : { pins: undefined, version: undefined }));
}

/** Every server pinned under a grant, in key order. */
export function listPins(store: DocumentStore, grant: string): MaybePromise<Array<{ key: string; pins: ServerPins; version: number }>> {
  return andThen(store.listDocuments(PINS_DOCUMENT_KIND, grantKeyPrefix(grant)), (docs) => docs.map((d) => ({ key: d.key, pins: parse(store, d.key, d.value), version: d.version })));
}

/**
 * Changes a server's pins by compare-and-set: reads them, lets `change` edit a fresh copy
 * (returning false when there is nothing to write), and writes them if nobody wrote in between;
 * otherwise reads again and repeats, so two sessions (or a session and `pins accept`) never
 * overwrite each other's changes. Resolves to the pins as stored afterwards.
 */
export function updatePins(
  store: DocumentStore,
  grant: string,
  server: readonly string[],
  change: (pins: ServerPins) => boolean,
  options: { replaceUnreadable?: boolean } = {},
): MaybePromise<ReadPins> {
  const key = pinKey(grant, server);
  const read = (): MaybePromise<ReadPins> =>
    andThen(store.readDocument(PINS_DOCUMENT_KIND, key), (doc) => {
      if (!doc) return { pins: undefined, version: undefined };
      try {
        return { pins: parse(store, key, doc.value), version: doc.version };
      } catch (error) {
        // init pins a server afresh: what it replaces need not be readable.
        if (options.replaceUnreadable && error instanceof GuardError) return { pins: undefined, version: doc.version };
        throw error;
      }
    });
  const attempt = (n: number): MaybePromise<ReadPins> =>
    andThen(read(), (read) => {
      const pins = read.pins ?? emptyServerPins(grant, server);
      if (!change(pins)) return read;
      return andThen(store.writeDocument(PINS_DOCUMENT_KIND, key, storedServerPins(pins), read.version), (version) => {
        if (version !== undefined) return { pins, version };
        if (n + 1 >= MAX_ATTEMPTS) throw new GuardError('PINS_CONTENDED', `the pins in ${store.description} kept changing while they were written; try again`);
        return attempt(n + 1);
      });
    });
  return attempt(0);
}
