import type { StreamSink } from '../protocol/framing.js';
import type { JsonRpcId } from '../protocol/message.js';
import { ResponseScanner, type ScanSummary, type StreamViolation } from '../protocol/response-scanner.js';
import type { Limiter } from '../limits/limiter.js';
import type { ClientOutput } from './outputs.js';
import type { ServerJudge } from './judge-server.js';
import type { PendingRequests } from './pending-requests.js';
import type { Verdict } from './verdict.js';

export interface LongResponseDeps {
  client: ClientOutput;
  judge: ServerJudge;
  pending: PendingRequests;
  limiter: Limiter;
  /** The whole line, once it has arrived and was never streamed: judged like any other line. */
  whole(line: Buffer): void;
  /** Enacts and writes a verdict about the streamed line (a -32603 for its request). */
  settle(verdict: Verdict): void;
  maxBytes: number;
}

/** The top-level members of a JSON-RPC response; any other makes a line something else to some client. */
const RESPONSE_MEMBERS = new Set(['jsonrpc', 'id', 'result', 'error']);

/**
 * A server line too long to hold cheaply (SPEC §4). It is scanned as it arrives and held until
 * its id has been read; then, if it is a response to a request in flight whose answer needs no
 * judging whole (not a list, not a tool result that may carry refused resource links), it is
 * streamed to the client as it arrives. Anything else is held to its end and judged as a whole
 * line. If something a response cannot carry turns up after streaming began (another member, a
 * duplicate key, bytes that are not UTF-8, a second value), the line is cut there — the client
 * gets a line it cannot parse, never a message the policy did not judge — and its request is
 * answered with -32603.
 */
export class LongResponse implements StreamSink {
  private readonly scanner = new ResponseScanner();
  private parts: Buffer[] = [];
  /** `held`: to be judged whole once it ends, which nothing read later can change (not scanned further). */
  private state: 'holding' | 'held' | 'streaming' | 'cut' = 'holding';
  private id: JsonRpcId | undefined;
  private cutWhy: string | undefined;

  constructor(
    private readonly d: LongResponseDeps,
    head: Buffer[],
  ) {
    for (const part of head) this.write(part);
  }

  write(part: Buffer): void {
    if (this.state === 'held') {
      this.parts.push(part);
      return;
    }
    this.scanner.push(part);
    if (this.state === 'cut') return;
    const seen = this.scanner.summary();
    if (this.state === 'streaming') {
      const why = problem(seen);
      if (why) {
        this.cut(why);
        return;
      }
      this.d.client.streamPart(part);
      return;
    }
    this.parts.push(part);
    this.maybeStream(seen);
  }

  end(): void {
    if (this.state === 'holding' || this.state === 'held') {
      const line = Buffer.concat(this.parts);
      this.parts = [];
      this.d.whole(line);
      return;
    }
    const done = this.scanner.summary();
    if (this.state === 'streaming') {
      const why = problem(done) ?? (done.wellFormed ? undefined : 'it is not well-formed JSON');
      this.d.client.endStream();
      if (why) this.cutWhy = why;
    }
    this.finish(done);
  }

  overflow(bytes: number): void {
    const why = `it passed --max-message-bytes (${this.d.maxBytes}) at ${bytes} bytes`;
    if (this.state === 'streaming') this.d.client.endStream();
    this.parts = [];
    this.state = 'cut';
    this.cutWhy = why;
    const id = this.id ?? idOf(this.scanner.summary());
    this.d.settle(this.d.judge.dropAnswer(id, why));
  }

  /** Starts streaming once the id is known and names a request in flight whose answer can go out as it comes. */
  private maybeStream(seen: ScanSummary): void {
    if (problem(seen) || !(seen.keys.includes('result') || seen.keys.includes('error'))) return;
    const id = idOf(seen);
    if (id === undefined || this.d.client.streaming) return;
    this.id = id;
    const entry = this.d.pending.get(id);
    if (!entry || entry.state !== 'in-flight' || this.d.judge.needsWholeAnswer(id)) {
      // Judged whole when it ends, whatever comes: the whole-line judging checks everything the
      // scanner would, so the rest is not scanned.
      this.state = 'held';
      return;
    }
    this.state = 'streaming';
    this.d.client.beginStream();
    for (const part of this.parts) this.d.client.streamPart(part);
    this.parts = [];
  }

  private cut(why: string): void {
    this.d.client.endStream();
    this.state = 'cut';
    this.cutWhy = why;
  }

  /** The streamed line ended: its request is done, or answered with -32603 when the line was cut. */
  private finish(done: ScanSummary): void {
    const id = this.id!;
    if (this.cutWhy !== undefined) {
      this.d.settle(this.d.judge.dropAnswer(id, `it was cut off: ${this.cutWhy}`));
      return;
    }
    const entry = this.d.pending.take(id);
    if (entry && entry.state === 'in-flight' && done.keys.includes('error')) this.d.limiter.refund(entry.ticket);
  }
}

/** Why what has been scanned so far cannot be (the start of) one response every client reads alike. */
function problem(seen: ScanSummary): string | undefined {
  if (seen.violation) return describeViolation(seen.violation);
  if (seen.malformed) return 'it is not well-formed JSON';
  const other = seen.keys.find((k) => !RESPONSE_MEMBERS.has(k));
  if (other !== undefined) return `it carries the member "${other}", which a response cannot have`;
  return undefined;
}

export function describeViolation(v: StreamViolation): string {
  switch (v.kind) {
    case 'duplicate-key':
      return `it has the key "${v.key}" more than once (letter case aside)`;
    case 'control-character':
      return `a member name contains a control character`;
    case 'too-deep':
      return `it is nested more than ${v.limit} levels deep`;
    case 'carriage-return':
      return 'it contains a bare carriage return';
    case 'invalid-utf8':
      return 'it is not valid UTF-8';
    case 'member-name-too-long':
      return 'a member name is too long';
  }
}

/** The id from its raw JSON text (a string or a number); anything else matches no request. */
function idOf(seen: ScanSummary): JsonRpcId | undefined {
  if (seen.idText === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(seen.idText);
    return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
  } catch {
    return undefined;
  }
}

export { idOf as idOfScan };
