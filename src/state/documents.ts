import type { Database } from './database.js';
import type { StoredDocument } from './store.js';

/** Versioned JSON documents (pins, …) in the state database, written by compare-and-set. */
export class DocumentTable {
  constructor(private readonly db: Database) {}

  read(kind: string, key: string): StoredDocument | undefined {
    const row = this.db.prepare('SELECT key, value, version FROM documents WHERE kind = ? AND key = ?').get(kind, key) as Row | undefined;
    return row && toDocument(row);
  }

  write(kind: string, key: string, value: unknown, expectedVersion: number | undefined): number | undefined {
    const json = JSON.stringify(value ?? null);
    if (expectedVersion === undefined) {
      const inserted = this.db.prepare('INSERT OR IGNORE INTO documents (kind, key, value, version) VALUES (?, ?, ?, 1)').run(kind, key, json);
      return inserted.changes === 1 ? 1 : undefined;
    }
    const updated = this.db
      .prepare('UPDATE documents SET value = ?, version = version + 1 WHERE kind = ? AND key = ? AND version = ?')
      .run(json, kind, key, expectedVersion);
    return updated.changes === 1 ? expectedVersion + 1 : undefined;
  }

  list(kind: string, keyPrefix: string): StoredDocument[] {
    const rows = this.db
      .prepare('SELECT key, value, version FROM documents WHERE kind = ? AND substr(key, 1, length(?)) = ? ORDER BY key')
      .all(kind, keyPrefix, keyPrefix) as Row[];
    return rows.map(toDocument);
  }
}

interface Row {
  key: string;
  value: string;
  version: number;
}

function toDocument(row: Row): StoredDocument {
  return { key: row.key, value: JSON.parse(row.value) as unknown, version: row.version };
}
