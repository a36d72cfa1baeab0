import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditRecord } from '../audit/record.js';
import { ensureDir } from '../state/ensure-dir.js';

export type { AuditRecord } from '../audit/record.js';


/**
 * Append-only JSONL writer. Records are buffered within one turn of the event loop and written
 * with a synchronous append, so a signal handler can flush whatever is left before exit.
 */
export class AuditLog {
  private fd: number;
  private buffer: string[] = [];
  private scheduled = false;

  constructor(readonly path: string) {
    ensureDir(dirname(path), 0o755);
    this.fd = openSync(path, 'a', 0o600);
  }

  record(entry: AuditRecord): void {
    this.buffer.push(`${JSON.stringify(entry)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.buffer.length === 0 || this.fd < 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
