import { refuse } from '../policy/engine/decision.js';
import type { PinMode } from '../policy/engine/types.js';
import type { JsonRpcId } from '../protocol/message.js';
import type { StateStore } from '../state/store.js';
import { statusOf } from './changes.js';
import { type Definition, definitionDigest, definitionOf, KIND_NOUN, kindOfListMethod, LIST_CHANGED, PIN_KINDS, type PinKind } from './definitions.js';
import { whenSettled } from './maybe-promise.js';
import { OwnListing } from './own-listing.js';
import type { CallCheck, ListReview, PinEvent } from './pin-events.js';
import { copyServerPins, emptyServerPins, type LastSeen, type ServerPins } from './pin-document.js';
import { readPins, updatePins } from './pin-store.js';

type Log = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

export interface SessionPinsDeps {
  store: Pick<StateStore, 'readDocument' | 'writeDocument' | 'listDocuments' | 'description'>;
  grant: string;
  /** The server's command line, as words: with the grant, what its pins are kept under. */
  server: readonly string[];
  /** The policy's `pin` (it may change when the policy is reloaded). */
  mode(): PinMode;
  dryRun: boolean;
  now(): number;
  log: Log;
  /** Writes one of mcp-guard's own lines to the server (its own `tools/list`), without the newline. */
  sendToServer(line: string): void;
  /**
   * Tells the client a list changed (`notifications/tools/list_changed`, …) after a person accepted
   * what it hid; the relay sends it the way the session's protocol revision wants it.
   */
  listChanged(notification: string): void;
  /** What a person adds to `mcp-guard pins …` to name this grant and store: ` --policy "…" --state-dir "…"`. */
  commandFlags: string;
}

/** How a call's name stands against the pins and the session's listings. */
type CallStatus = 'ok' | 'changed' | 'new' | 'removed' | 'unlisted' | 'needs-listing' | 'unavailable';

interface Seen {
  definition: Definition;
  digest: string;
}

/** What the session knows of one kind's listings. */
interface Listing {
  /** Name → digest: the last complete listing, with the pages of one in progress laid over it. */
  offered: Map<string, string> | undefined;
  /** The pages of the listing in progress. */
  partial: Map<string, Seen> | undefined;
  /** The listing in progress began at its first page (so, read to its end, it is complete). */
  fromStart: boolean;
  /** Set while a listing that began with nothing pinned for the kind is read: its pages are pinned. */
  pinning: string | undefined;
  /** Name → digest of what the last listing hid from the client, to tell it when a person accepts them. */
  hidden: Map<string, string>;
}

type Mutation = (pins: ServerPins) => boolean;
type StoreOp = { read: true; done?: () => void } | { read: false; mutate: Mutation; done?: () => void };

/** While something is hidden, the store is read this often for a person's accept. */
const ACCEPT_POLL_MS = 2_000;

const NONE: CallCheck = Object.freeze({});

/**
 * A session's pinning (SPEC §12): what this server's definitions are pinned as (grant and
 * command line), what the session has seen it list, and the judgements the relay's judges ask
 * for: which entries of a list result to hide or note, and whether a call may go ahead.
 *
 * The pins are read when the session starts, and again (without waiting, when the store
 * answers at once) before each list result is judged and before a call is refused, so an accept
 * made from another terminal counts at once; while something is hidden the store is also read
 * every few seconds, and the client is told `list_changed` when a person accepts it. Writes (the
 * first pins of a kind, the last listing seen) go through one queue and are compare-and-set, so
 * sessions and `pins accept` never overwrite each other; until a write is confirmed, judging
 * sees it as done.
 */
export class SessionPins {
  /** The pins as last read or written; undefined when nothing is pinned. */
  private stored: ServerPins | undefined;
  /** Changes queued or being written, laid over `stored` in `view`. */
  private readonly unconfirmed: Mutation[] = [];
  private view: ServerPins | undefined;
  /** Why the pins cannot be read or written (the store is unreachable, or they are unreadable). */
  private unavailable: string | undefined;
  private readonly ops: StoreOp[] = [];
  private busy = false;
  private readonly listings = new Map<PinKind, Listing>();
  /** What was already said on stderr, so a listing repeated every few seconds is not a flood. */
  private readonly told = new Set<string>();
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly own: OwnListing;
  private closed = false;

  constructor(private readonly d: SessionPinsDeps) {
    this.own = new OwnListing({
      sendToServer: d.sendToServer,
      review: (params, result) => this.reviewList('tools/list', undefined, params, result, () => false),
    });
  }

  /** Reads the pins (the session waits for this before it relays anything). */
  load(): Promise<void> {
    return new Promise((resolve) => this.enqueue({ read: true, done: resolve }));
  }

  /** Stops the accept poll; the session is over. */
  close(): void {
    this.closed = true;
    this.stopPolling();
    this.own.fail('the session ended');
  }

  /** The server is gone: calls waiting for mcp-guard's own listing are refused. */
  upstreamEnded(why: string): void {
    this.own.fail(why);
  }

  /** Whether a request id is one of mcp-guard's own (a client request must not reuse it). */
  ownsId(id: JsonRpcId): boolean {
    return this.own.ownsId(id);
  }

  /** Consumes the server's answer to one of mcp-guard's own requests (undefined: it was dropped); false when the id is not ours. */
  takeAnswer(id: JsonRpcId, answer: Record<string, unknown> | undefined): boolean {
    return this.own.takeAnswer(id, answer);
  }

  // ── list results ───────────────────────────────────────────────────────────────────────────

  /**
   * Reviews a list result before the client gets it: the first listing of a kind is pinned; after
   * that, under "block" entries that differ from their pins are hidden (and recorded), under
   * "warn" they pass with a note; either way what was seen is recorded for `pins diff`.
   * `visible` says which entries the policy shows: only those are worth a note.
   */
  reviewList(method: string, id: JsonRpcId | undefined, params: Record<string, unknown> | undefined, result: Record<string, unknown>, visible: (entry: Record<string, unknown>) => boolean): ListReview | undefined {
    const kind = kindOfListMethod(method);
    const mode = this.d.mode();
    const entries = kind ? result[kind] : undefined;
    if (!kind || mode === 'off' || !Array.isArray(entries)) return undefined;
    this.refresh();
    const listing = this.listingOf(kind);
    const first = typeof params?.cursor !== 'string';
    if (first || !listing.partial) {
      listing.partial = new Map();
      listing.fromStart = first;
      listing.pinning = first && !this.unavailable && !this.view?.kinds.has(kind) ? new Date(this.d.now()).toISOString() : undefined;
      listing.hidden = new Map();
    }
    const page: Array<Seen & { name: string; entry: Record<string, unknown> }> = [];
    for (const entry of entries) {
      const definition = definitionOf(kind, entry);
      if (!definition) continue;
      page.push({ name: definition.name as string, definition, digest: definitionDigest(definition), entry: entry as Record<string, unknown> });
    }
    if (listing.pinning) this.pinFirst(kind, listing.pinning, page);
    const k = this.view?.kinds.get(kind);
    const hide = new Set<string>();
    const events: PinEvent[] = [];
    for (const e of page) {
      const status = this.unavailable ? 'unavailable' : statusOf(k, e.name, e.digest);
      const known = listing.partial.get(e.name);
      // A name listed twice keeps the definition that differs from its pin, if one does.
      if (!known || (status !== 'pinned' && statusOf(k, e.name, known.digest) === 'pinned')) listing.partial.set(e.name, e);
      listing.offered?.set(e.name, e.digest);
      if (status === 'pinned') continue;
      const block = mode === 'block';
      if (block && !this.d.dryRun) hide.add(e.name);
      if (!visible(e.entry)) continue;
      if (block && !this.d.dryRun) listing.hidden.set(e.name, e.digest);
      const why = status === 'unavailable' ? this.unavailableReason() : status === 'changed' ? `its definition changed since it was pinned` : `it is new since this server's ${kind === 'tools' ? 'tools were' : `${KIND_NOUN[kind]}s were`} pinned`;
      const noun = `the ${KIND_NOUN[kind]} "${e.name}"`;
      const verb = block ? (this.d.dryRun ? 'would hide' : 'hid') : 'let through';
      const accept = status === 'unavailable' ? '' : `; review it with: mcp-guard pins diff${this.d.commandFlags}; accept it with: mcp-guard pins accept ${quoteName(e.name)}${this.d.commandFlags}`;
      events.push({
        direction: 'server→client',
        method,
        id,
        kind,
        name: e.name,
        decision: block ? 'unpinned' : 'allowed',
        reason: block ? `${noun} was hidden: ${why}` : `${noun} was let through (pin: "warn"): ${why}`,
        message: this.tell(`${kind}\0${e.name}\0${e.digest}\0${mode}`, `${verb} ${noun} in ${method}: ${why}${accept}`),
      });
    }
    const complete = typeof result.nextCursor !== 'string';
    if (complete) {
      listing.offered = new Map([...listing.partial].map(([name, s]) => [name, s.digest]));
      listing.pinning = undefined;
    }
    this.recordSeen(kind, listing.partial, complete && listing.fromStart);
    if (complete) listing.partial = undefined;
    if (listing.hidden.size > 0) this.startPolling();
    return { hide, events };
  }

  /** Pins a page of the first listing of a kind (every page of that listing, under one token). */
  private pinFirst(kind: PinKind, token: string, page: Array<Seen & { name: string }>): void {
    this.enqueue({
      read: false,
      mutate: (pins) => {
        let k = pins.kinds.get(kind);
        if (!k) {
          k = { pinnedAt: token, updatedAt: token, pins: new Map(), seen: undefined };
          pins.kinds.set(kind, k);
        } else if (k.pinnedAt !== token) {
          // Another session pinned this kind first: its pins stand, and this listing is judged by them.
          return false;
        }
        for (const e of page) if (!k.pins.has(e.name)) k.pins.set(e.name, { digest: e.digest, definition: e.definition, pinnedAt: token });
        return true;
      },
    });
  }

  /** Records the listing seen (for `pins diff` and `pins accept`) when it differs from what is recorded. */
  private recordSeen(kind: PinKind, partial: Map<string, Seen>, complete: boolean): void {
    const recorded = this.view?.kinds.get(kind)?.seen;
    if (recorded && recorded.complete === complete && sameDefinitions(recorded, partial)) return;
    const seen: LastSeen = { at: new Date(this.d.now()).toISOString(), complete, definitions: new Map([...partial].map(([name, s]) => [name, s.definition])) };
    this.enqueue({
      read: false,
      mutate: (pins) => {
        const k = pins.kinds.get(kind);
        if (!k) return false;
        k.seen = seen;
        return true;
      },
    });
  }

  // ── calls ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Whether a `tools/call` (or `prompts/get`) may go ahead as far as pinning goes: `done` gets
   * nothing, a refusal (`unpinned`, under "block"), or notes (under "warn"). It is called at once
   * unless mcp-guard must first list the server's tools itself (nothing pinned yet, and nothing
   * listed in this session) or read the pins again before refusing.
   */
  checkCall(method: string, id: JsonRpcId | undefined, params: Record<string, unknown> | undefined, done: (check: CallCheck) => void): void {
    const kind: PinKind | undefined = method === 'tools/call' ? 'tools' : method === 'prompts/get' ? 'prompts' : undefined;
    const mode = this.d.mode();
    const name = params?.name;
    if (!kind || mode === 'off' || typeof name !== 'string') return done(NONE);
    const status = this.callStatus(kind, name);
    if (status === 'ok') return done(NONE);
    if (status === 'needs-listing') {
      return this.own.list(params?._meta, (failure) => {
        const again = this.callStatus(kind, name);
        if (again === 'ok') return done(NONE);
        done(this.callOutcome(kind, name, again === 'needs-listing' ? 'listing-failed' : again, method, id, failure));
      });
    }
    // About to refuse or note: a person may have accepted it a moment ago.
    this.refresh(() => {
      const again = this.callStatus(kind, name);
      if (again === 'needs-listing') return this.checkCall(method, id, params, done);
      done(again === 'ok' ? NONE : this.callOutcome(kind, name, again, method, id, undefined));
    });
  }

  private callStatus(kind: PinKind, name: string): CallStatus {
    if (this.unavailable) return 'unavailable';
    const k = this.view?.kinds.get(kind);
    const offered = this.listings.get(kind)?.offered;
    // Nothing pinned: tools are listed (and pinned) first; a prompt has nothing to be judged by.
    if (!k) return kind === 'tools' ? 'needs-listing' : 'ok';
    const pin = k.pins.get(name);
    if (!offered) return pin ? 'ok' : 'unlisted';
    const digest = offered.get(name);
    if (digest === undefined) return pin ? 'removed' : 'unlisted';
    return !pin ? 'new' : pin.digest === digest ? 'ok' : 'changed';
  }

  private callOutcome(kind: PinKind, name: string, status: Exclude<CallStatus, 'ok' | 'needs-listing'> | 'listing-failed', method: string, id: JsonRpcId | undefined, failure: string | undefined): CallCheck {
    const noun = `the ${KIND_NOUN[kind]} "${name}"`;
    const accept = `a person must accept it with "mcp-guard pins accept ${quoteName(name)}" before it can be ${kind === 'tools' ? 'called' : 'used'}`;
    const why =
      status === 'changed'
        ? `the definition of ${noun} changed since it was pinned; ${accept}`
        : status === 'new'
          ? `${noun} is new since this server's ${KIND_NOUN[kind]}s were pinned; ${accept}`
          : status === 'removed'
            ? `the server no longer lists ${noun}`
            : status === 'unlisted'
              ? `${noun} is not one the server listed when it was pinned, and only pinned ${KIND_NOUN[kind]}s can be ${kind === 'tools' ? 'called' : 'used'}`
              : status === 'listing-failed'
                ? `mcp-guard could not list the server's tools to pin them (${failure ?? 'no answer'}), so ${noun} cannot be checked`
                : this.unavailableReason();
    if (this.d.mode() === 'block') return { refusal: refuse('unpinned', 'pin', why) };
    const event: PinEvent = {
      direction: 'client→server',
      method,
      id,
      kind,
      name,
      decision: 'allowed',
      reason: `let through (pin: "warn"): ${why}`,
      message: this.tell(`call\0${kind}\0${name}\0${status}`, `let a call to ${noun} through (pin: "warn"): ${why}; see mcp-guard pins diff${this.d.commandFlags}`),
    };
    return { events: [event] };
  }

  private unavailableReason(): string {
    return `the pins of this server could not be read from ${this.d.store.description} (${this.unavailable ?? 'unknown error'}), so its definitions cannot be checked`;
  }

  // ── the store ──────────────────────────────────────────────────────────────────────────────

  /** Reads the pins again; `done` once read (at once when the store answers at once). */
  private refresh(done?: () => void): void {
    this.enqueue({ read: true, done });
  }

  private enqueue(op: StoreOp): void {
    if (!op.read) {
      this.unconfirmed.push(op.mutate);
      this.recompute();
    }
    this.ops.push(op);
    this.pump();
  }

  private pump(): void {
    while (!this.busy && this.ops.length > 0) {
      const op = this.ops.shift()!;
      this.busy = true;
      let returned = false;
      whenSettled(
        () => (op.read ? readPins(this.d.store, this.d.grant, this.d.server) : updatePins(this.d.store, this.d.grant, this.d.server, op.mutate)),
        (read) => {
          this.stored = read.pins;
          if (this.unavailable) this.d.log('info', `pins: ${this.d.store.description} answers again`);
          this.unavailable = undefined;
          this.settled(op, returned);
        },
        (error: unknown) => {
          const why = error instanceof Error ? error.message : String(error);
          if (this.unavailable !== why) this.d.log('error', `pins: ${why}`);
          this.unavailable = why;
          this.settled(op, returned);
        },
      );
      returned = true;
    }
  }

  private settled(op: StoreOp, late: boolean): void {
    if (!op.read) this.unconfirmed.splice(this.unconfirmed.indexOf(op.mutate), 1);
    this.recompute();
    this.busy = false;
    this.tellClientOfAccepts();
    op.done?.();
    if (late) this.pump();
  }

  private recompute(): void {
    if (this.unconfirmed.length === 0) {
      this.view = this.stored;
      return;
    }
    const view = this.stored ? copyServerPins(this.stored) : emptyServerPins(this.d.grant, this.d.server);
    for (const mutate of this.unconfirmed) mutate(view);
    this.view = view;
  }

  // ── accepts from another terminal ──────────────────────────────────────────────────────────

  /** Tells the client to list a kind again once something it was not shown has been accepted. */
  private tellClientOfAccepts(): void {
    if (this.closed) return;
    for (const kind of PIN_KINDS) {
      const listing = this.listings.get(kind);
      if (!listing || listing.hidden.size === 0) continue;
      const k = this.view?.kinds.get(kind);
      let accepted = false;
      for (const [name, digest] of listing.hidden) {
        if (k?.pins.get(name)?.digest !== digest) continue;
        listing.hidden.delete(name);
        accepted = true;
      }
      if (accepted) {
        this.d.log('info', `a person accepted ${KIND_NOUN[kind]} definitions that were hidden: telling the client to list them again`);
        this.d.listChanged(LIST_CHANGED[kind]);
      }
    }
    if (![...this.listings.values()].some((l) => l.hidden.size > 0)) this.stopPolling();
  }

  private startPolling(): void {
    if (this.poll || this.closed) return;
    this.poll = setInterval(() => {
      if (!this.busy) this.refresh();
    }, ACCEPT_POLL_MS);
    this.poll.unref();
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private listingOf(kind: PinKind): Listing {
    let listing = this.listings.get(kind);
    if (!listing) {
      listing = { offered: undefined, partial: undefined, fromStart: false, pinning: undefined, hidden: new Map() };
      this.listings.set(kind, listing);
    }
    return listing;
  }

  /** The message the first time it is due under `key`, else undefined. */
  private tell(key: string, message: string): string | undefined {
    if (this.told.has(key)) return undefined;
    this.told.add(key);
    return message;
  }
}

function sameDefinitions(recorded: LastSeen, partial: Map<string, Seen>): boolean {
  if (recorded.definitions.size !== partial.size) return false;
  for (const [name, s] of partial) {
    const def = recorded.definitions.get(name);
    if (!def || definitionDigest(def) !== s.digest) return false;
  }
  return true;
}

/** A name as a person types it after `mcp-guard pins accept` in a POSIX shell. */
export function quoteName(name: string): string {
  return /^[\w@%+=:,./-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
}
