import { GuardError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import { acceptChanges, namesOf, type PendingChange, pendingChanges } from './changes.js';
import type { ServerPins } from './pin-document.js';
import { updatePins } from './pin-store.js';
import { showServer } from './report.js';

type DocumentStore = Pick<StateStore, 'readDocument' | 'writeDocument' | 'listDocuments' | 'description'>;

/** What to accept: every pending change, or the changes with these names (a rename answers to both of its names). */
export type AcceptSelection = { all: true } | { all: false; names: readonly string[] };

export interface Accepted {
  server: string[];
  changes: PendingChange[];
}

function selected(change: PendingChange, selection: AcceptSelection): boolean {
  return selection.all || namesOf(change).some((n) => selection.names.includes(n));
}

/**
 * Accepts pending changes of the given servers (`pins accept`). Every name must match a pending
 * change of at least one server, else nothing is written (exit 1, naming what is pending). Each
 * server's pins are changed by compare-and-set, from the changes pending when it is written.
 */
export async function acceptPending(store: DocumentStore, servers: readonly ServerPins[], selection: AcceptSelection, now: string): Promise<Accepted[]> {
  if (!selection.all) {
    const pendingNames = new Set(servers.flatMap((s) => pendingChanges(s).flatMap(namesOf)));
    const unknown = selection.names.filter((n) => !pendingNames.has(n));
    if (unknown.length > 0) {
      const waiting = [...pendingNames].map((n) => JSON.stringify(n)).join(', ');
      throw new GuardError(
        'PINS_NOTHING_PENDING',
        `nothing named ${unknown.map((n) => JSON.stringify(n)).join(', ')} is waiting to be accepted ${waiting ? `(waiting: ${waiting})` : '(nothing is waiting)'}; see mcp-guard pins diff`,
        { data: { unknown } },
      );
    }
  }
  const out: Accepted[] = [];
  for (const server of servers) {
    let accepted: PendingChange[] = [];
    try {
      await updatePins(store, server.grant, server.server, (pins) => {
        accepted = pendingChanges(pins).filter((c) => selected(c, selection));
        if (accepted.length === 0) return false;
        acceptChanges(pins, accepted, now);
        return true;
      });
    } catch (error) {
      if (error instanceof GuardError) throw new GuardError(error.code, `${showServer(server.server)}: ${error.message}`, { cause: error });
      throw error;
    }
    if (accepted.length > 0) out.push({ server: server.server, changes: accepted });
  }
  return out;
}
