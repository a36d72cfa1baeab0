import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { type AuditEntry, parseAuditLine } from './record.js';

export interface AuditLogContents {
  entries: AuditEntry[];
  /** Lines that are not audit records (a torn last line, a stray write), with where they are. */
  unreadable: Array<{ file: string; line: number }>;
}

/** Reads audit logs, streaming each line by line. A log that does not exist is a usage error (exit 2). */
export async function readAuditLogs(files: string[], keep: (entry: AuditEntry) => boolean = () => true): Promise<AuditLogContents> {
  const out: AuditLogContents = { entries: [], unreadable: [] };
  for (const file of files) {
    await ensureReadable(file);
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const text of lines) {
      n++;
      if (text.trim() === '') continue;
      const entry = parseAuditLine(text, file, n);
      if (!entry) out.unreadable.push({ file, line: n });
      else if (keep(entry)) out.entries.push(entry);
    }
  }
  return out;
}

async function ensureReadable(file: string): Promise<void> {
  try {
    if ((await stat(file)).isDirectory()) throw new UsageError(`${file} is a directory; pass the audit log file (one JSON record per line)`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `audit log not found: ${file}` : `cannot read audit log ${file}: ${(error as Error).message}`);
  }
}
