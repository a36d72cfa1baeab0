import { open, stat } from 'node:fs/promises';
import { type AuditEntry, parseAuditLine } from './record.js';

export interface FollowOptions {
  /** Records already in the logs to show first: the last `last` of them, or every one at or after `since` (ms). */
  backlog: { last: number } | { since: number };
  /** Following stops when this aborts. */
  signal: AbortSignal;
  /** How often the logs are looked at (default 250 ms). */
  pollMs?: number;
  onEntry(entry: AuditEntry): void;
  onUnreadable?(file: string, line: number): void;
  /** Called once for a log that does not exist (yet); it is followed from when it appears. */
  onMissing?(file: string): void;
}

const CHUNK = 64 * 1024;

/**
 * `mcp-guard audit --follow`: shows the backlog, then each record as it is appended, like
 * `tail -f`. It polls, so it works on every platform and file system; a log that does not exist
 * yet is waited for, a line is read only once its newline has been written (writers append in
 * pieces), and a log truncated or replaced (copytruncate, rotation) is read again from its start.
 * Resolves when `signal` aborts.
 */
export async function followAuditLogs(files: string[], options: FollowOptions): Promise<void> {
  const tails = files.map((file) => new Tail(file, options));
  const backlog: AuditEntry[] = [];
  for (const tail of tails) await tail.poll((entry) => backlog.push(entry));
  backlog.sort((a, b) => a.t - b.t);
  const shown = 'last' in options.backlog ? backlog.slice(Math.max(0, backlog.length - options.backlog.last)) : backlog.filter((e) => e.t >= (options.backlog as { since: number }).since);
  for (const entry of shown) options.onEntry(entry);
  while (!options.signal.aborted) {
    await sleep(options.pollMs ?? 250, options.signal);
    for (const tail of tails) {
      if (options.signal.aborted) break;
      await tail.poll((entry) => options.onEntry(entry));
    }
  }
}

class Tail {
  private offset = 0;
  private line = 0;
  private pending: Buffer = Buffer.alloc(0);
  private identity: string | undefined;
  private missingReported = false;

  constructor(
    private readonly file: string,
    private readonly options: FollowOptions,
  ) {}

  /** Reads whatever was appended since the last poll, and hands over each complete record. */
  async poll(emit: (entry: AuditEntry) => void): Promise<void> {
    let size: number;
    try {
      const s = await stat(this.file);
      const identity = `${s.dev}:${s.ino}`;
      if (identity !== this.identity || s.size < this.offset) this.restart(identity);
      size = s.size;
    } catch {
      if (!this.missingReported) this.options.onMissing?.(this.file);
      this.missingReported = true;
      this.identity = undefined;
      return;
    }
    if (size <= this.offset) return;
    const handle = await open(this.file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      while (this.offset < size) {
        const buffer = Buffer.alloc(Math.min(CHUNK, size - this.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.take(buffer.subarray(0, bytesRead), emit);
      }
    } finally {
      await handle.close();
    }
  }

  private restart(identity: string): void {
    this.identity = identity;
    this.offset = 0;
    this.line = 0;
    this.pending = Buffer.alloc(0);
  }

  /** Splits on newline bytes (never inside a UTF-8 character); the part after the last one waits for more. */
  private take(chunk: Buffer, emit: (entry: AuditEntry) => void): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let nl: number;
    while ((nl = data.indexOf(0x0a)) !== -1) {
      const text = data.subarray(0, nl).toString('utf8');
      data = data.subarray(nl + 1);
      this.line++;
      if (text.trim() === '') continue;
      const entry = parseAuditLine(text, this.file, this.line);
      if (entry) emit(entry);
      else this.options.onUnreadable?.(this.file, this.line);
    }
    this.pending = Buffer.from(data);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
