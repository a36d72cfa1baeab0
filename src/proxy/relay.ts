import { isUtf8 } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import type { Limiter } from '../limits/limiter.js';
import type { SessionPins } from '../pins/session-pins.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { type Ambiguity, findAmbiguityIn, topLevelElements } from '../protocol/duplicate-keys.js';
import { LineSplitter } from '../protocol/framing.js';
import { classify, errorLine, INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR } from '../protocol/message.js';
import { ResponseScanner } from '../protocol/response-scanner.js';
import type { ApprovalBroker } from './approval.js';
import type { AuditLog } from './audit.js';
import { DecisionLog } from './decision-log.js';
import { ClientJudge, type SessionProtocol } from './judge-client.js';
import { ApprovalTokens, RetryMemory } from './modern.js';
import { TaskRegistry } from './tasks.js';
import { ServerJudge } from './judge-server.js';
import type { Log } from './log.js';
import { describeViolation, idOfScan, LongResponse } from './long-response.js';
import { InOrder } from './in-order.js';
import { ClientOutput, ServerOutput } from './outputs.js';
import { PendingRequests } from './pending-requests.js';
import { Enactor, type Verdict } from './verdict.js';

export interface RelayOptions {
  policy: () => CompiledPolicy;
  limiter: Limiter;
  approvals: ApprovalBroker;
  audit: () => AuditLog | undefined;
  dryRun: boolean;
  maxMessageBytes: number;
  session: string;
  clientIn: Readable;
  clientOut: Writable;
  upstreamIn: Writable;
  upstreamOut: Readable;
  /** Log every decision, not only refusals (--verbose). */
  verbose: boolean;
  /** Log no refusals (--quiet). */
  quiet?: boolean;
  /** A diagnostic for stderr; `level` lets --quiet and --verbose filter. */
  log: Log;
  now(): number;
  /** Pinning of the server's definitions (SPEC §12); absent, nothing is pinned. */
  pins?: SessionPins;
}

/**
 * Server lines longer than this are judged while they arrive instead of being held whole: holding
 * a 4 MiB result before relaying it halved large-result throughput in the benchmark.
 */
const STREAM_THRESHOLD = 256 * 1024;

/** Client messages waiting for the state store past which client input is paused. */
const MAX_UNSETTLED = 4096;

/**
 * A long chunk of input is not held until all of it is judged: what its first lines produced is
 * written after the second (the reader, idle until then, starts on them), and then after every
 * eighth. Pipelined calls through the benchmark's allow-all policy went from ~67k to ~80k a
 * second, the server answering the chunk's first calls while mcp-guard judged the rest.
 */
const FIRST_WRITE_AFTER = 2;
const WRITE_EVERY = 8;

/** Whether the line just judged is one after which what the chunk produced so far is written. */
function writeAfter(lines: number): boolean {
  return lines === FIRST_WRITE_AFTER || (lines > FIRST_WRITE_AFTER && (lines - FIRST_WRITE_AFTER) % WRITE_EVERY === 0);
}

/**
 * Relays newline-delimited JSON-RPC between the client and the upstream, judging every message.
 * The judges (judge-client.ts, judge-server.ts) turn each message into a Verdict; the Enactor
 * records it; this class frames lines, keeps client messages in order while the state store
 * counts their units, and writes. Client→server messages are relayed as the exact bytes judged;
 * server→client messages as their original bytes unless a result had entries removed.
 */
export class Relay {
  private readonly pending = new PendingRequests();
  private readonly client: ClientOutput;
  private readonly server: ServerOutput;
  private readonly clientJudge: ClientJudge;
  private readonly serverJudge: ServerJudge;
  private readonly enactor: Enactor;
  private readonly inOrder: InOrder;
  private readonly fromClient: LineSplitter;
  private readonly fromUpstream: LineSplitter;
  private upstreamGone: string | undefined;
  /** Set while the upstream's last (unterminated) line is judged as it ends. */
  private upstreamEnding: string | undefined;
  /** Lines judged in the current chunk of each side's input (see writeAfter). */
  private clientLines = 0;
  private upstreamLines = 0;

  constructor(private readonly options: RelayOptions) {
    const { log } = options;
    this.enactor = new Enactor(new DecisionLog(options), log);
    this.client = new ClientOutput(
      options.clientOut,
      () => options.clientIn.pause(),
      () => this.resumeClientIfDrained(),
    );
    this.server = new ServerOutput(options.upstreamIn, log);
    this.inOrder = new InOrder();
    const session: SessionProtocol = { modern: false, tasks: new TaskRegistry(), retries: new RetryMemory(), tokens: new ApprovalTokens(), readOnlyTools: new Set() };
    this.clientJudge = new ClientJudge({
      session,
      policy: options.policy,
      pending: this.pending,
      limiter: options.limiter,
      approvals: options.approvals,
      dryRun: options.dryRun,
      now: options.now,
      upstreamGone: () => this.upstreamGone,
      later: (verdict, raw) => this.writeClientVerdict(this.enactor.enact(verdict), raw),
      pins: options.pins,
    });
    this.serverJudge = new ServerJudge({ policy: options.policy, pending: this.pending, limiter: options.limiter, dryRun: options.dryRun, session, now: options.now, pins: options.pins });
    this.fromClient = new LineSplitter(options.maxMessageBytes, {
      line: (line) => {
        this.onClientLine(line);
        if (writeAfter(++this.clientLines)) this.writeSoFar();
      },
      oversize: (bytes) => {
        log('warn', `refused a ${bytes}-byte message from the client: larger than --max-message-bytes (${options.maxMessageBytes})`);
        this.queueReply(errorLine(null, INVALID_REQUEST, `mcp-guard: message of ${bytes} bytes exceeds the limit of ${options.maxMessageBytes} bytes`));
      },
    });
    this.fromUpstream = new LineSplitter(
      options.maxMessageBytes,
      {
        line: (line) => {
          this.onUpstreamLine(line);
          if (writeAfter(++this.upstreamLines)) this.writeSoFar();
        },
        oversize: (bytes) => log('warn', `dropped a ${bytes}-byte message from the server: larger than --max-message-bytes (${options.maxMessageBytes})`),
      },
      {
        thresholdBytes: STREAM_THRESHOLD,
        begin: (head) =>
          new LongResponse(
            {
              client: this.client,
              judge: this.serverJudge,
              pending: this.pending,
              limiter: options.limiter,
              whole: (line) => this.onUpstreamLine(line),
              settle: (verdict) => this.writeServerVerdict(this.enactor.enact(verdict), undefined),
              maxBytes: options.maxMessageBytes,
            },
            head,
          ),
      },
    );
  }

  /** Starts reading both sides. Backpressure: a side whose destination is full is paused until it drains. */
  start(): void {
    const { clientIn, clientOut, upstreamIn, upstreamOut, limiter, audit } = this.options;
    clientIn.on('data', (chunk: Buffer) => {
      this.server.begin();
      this.client.begin();
      this.clientLines = 0;
      this.fromClient.push(chunk);
      // The grant charges of the whole chunk go to the state store together; with SQLite they are
      // committed, and the chunk's calls settled, before a grant-limited call (or anything after
      // one: InOrder) is written. What came before it may have been written already (writeSoFar).
      limiter.flush();
      audit()?.flush();
      this.server.end();
      this.client.end();
      if (upstreamIn.writableNeedDrain || clientOut.writableNeedDrain || this.inOrder.size > MAX_UNSETTLED) clientIn.pause();
    });
    upstreamOut.on('data', (chunk: Buffer) => {
      this.client.begin();
      this.upstreamLines = 0;
      this.fromUpstream.push(chunk);
      audit()?.flush();
      this.client.end();
      if (clientOut.writableNeedDrain) upstreamOut.pause();
    });
    upstreamIn.on('drain', () => this.resumeClientIfDrained());
    clientOut.on('drain', () => {
      upstreamOut.resume();
      this.resumeClientIfDrained();
    });
    this.inOrder.onDrained = () => this.resumeClientIfDrained();
  }

  /**
   * Part-way through a chunk: writes what its lines have produced so far, their audit records
   * first, as at the chunk's end. A call waiting for its grant units stays in InOrder until the
   * chunk's charges are committed, and holds back everything after it.
   */
  private writeSoFar(): void {
    this.options.audit()?.flush();
    this.server.flush();
    this.client.flush();
  }

  private resumeClientIfDrained(): void {
    if (this.client.streaming || this.client.needsDrain || this.server.needsDrain || this.inOrder.size > MAX_UNSETTLED) return;
    this.options.clientIn.resume();
  }

  /** The client's input ended: a last line without a newline is still judged. */
  clientEnded(): void {
    this.fromClient.end();
    this.options.limiter.flush();
  }

  /** A new policy is in force: tell the client about every list it has seen that now shows something else (SPEC §2). */
  policyReloaded(previous: CompiledPolicy, next: CompiledPolicy): void {
    for (const line of this.serverJudge.listChanges(previous, next)) this.client.line(line);
  }

  /** Tells the client that a list shows something else now (a person accepted pinned definitions it hid). */
  listChanged(notification: string): void {
    for (const line of this.serverJudge.listChangedLines(notification)) this.client.line(line);
  }

  /** A line of mcp-guard's own for the client (approval requests), written between whole lines. */
  sendToClient(line: string): void {
    this.client.line(line);
  }

  /** A request of mcp-guard's own for the server (pinning's tools/list), written between whole lines. */
  sendToServer(line: string): void {
    this.server.line(line);
  }

  /**
   * The upstream stopped (exited or closed its output): every request still waiting on it is
   * answered. What was relayed keeps what it took: the server may have acted before it ended.
   */
  upstreamEnded(why: string): void {
    if (this.upstreamGone) return;
    this.upstreamEnding = why;
    this.fromUpstream.end();
    this.upstreamGone = why;
    this.server.close();
    for (const [id, entry] of this.pending.drain()) {
      if (entry.state === 'in-flight') this.client.line(errorLine(id, INTERNAL_ERROR, `mcp-guard: ${why} before answering this request`));
      else if (entry.state === 'approval') {
        this.client.line(errorLine(id, INTERNAL_ERROR, `mcp-guard: ${why} while this request waited for approval`));
        entry.abort?.abort();
      }
    }
    this.options.approvals.cancelAll();
    this.options.pins?.upstreamEnded(why);
  }

  // ── client → server ────────────────────────────────────────────────────────────────────────

  private onClientLine(line: Buffer): void {
    // Invalid UTF-8 could decode differently upstream than here: what is relayed must be what was judged.
    if (!isUtf8(line)) return this.queueReply(errorLine(null, PARSE_ERROR, 'mcp-guard: the message is not valid UTF-8'));
    const text = line.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.options.log('warn', 'refused a line from the client that is not JSON');
      return this.queueReply(errorLine(null, PARSE_ERROR, 'mcp-guard: the message is not valid JSON'));
    }
    if (Array.isArray(value)) return this.onClientBatch(value, text);
    const ambiguity = findAmbiguityIn(text, value);
    if (ambiguity) return this.inTurn(refuseAmbiguous(value, ambiguity), line);
    // Most verdicts come at once; one that waits for the state store takes its place in the queue.
    let now: Verdict | undefined;
    let later: ((run: () => void) => void) | undefined;
    this.clientJudge.judge(value, line, (verdict) => {
      if (later) later(() => this.writeClientVerdict(this.enactor.enact(verdict), line));
      else now = verdict;
    });
    if (now) this.inTurn(now, line);
    else later = this.inOrder.reserve();
  }

  /** Writes a verdict reached at once, after any earlier message still waiting for the state store. */
  private inTurn(verdict: Verdict, line: Buffer): void {
    if (this.inOrder.size === 0) this.writeClientVerdict(this.enactor.enact(verdict), line);
    else this.inOrder.reserve()(() => this.writeClientVerdict(this.enactor.enact(verdict), line));
  }

  /**
   * A batch is judged element by element, as if each were sent alone. Allowed elements are relayed
   * as one batch made of their exact original text; refusals are answered in one batch.
   */
  private onClientBatch(elements: unknown[], text: string): void {
    if (elements.length === 0) return this.queueReply(errorLine(null, INVALID_REQUEST, 'mcp-guard: an empty batch is not a valid request'));
    const settle = this.inOrder.reserve();
    const spans = topLevelElements(text);
    const verdicts: Array<{ verdict: Verdict; raw: string } | undefined> = new Array(elements.length);
    let open = elements.length;
    const done = () => {
      if (--open > 0) return;
      settle(() => {
        const forward: string[] = [];
        const replies: string[] = [];
        for (const v of verdicts) {
          const { verdict, raw } = this.enactorResult(v!);
          if (verdict.reply) replies.push(verdict.reply.trimEnd());
          if (verdict.forward === true) forward.push(raw);
        }
        if (forward.length > 0) this.server.line(forward.length === elements.length ? text : `[${forward.join(',')}]`);
        if (replies.length > 0) this.client.line(`[${replies.join(',')}]\n`);
      });
    };
    let objectIndex = 0;
    elements.forEach((element, i) => {
      const isContainer = element !== null && typeof element === 'object';
      const span = isContainer ? spans[objectIndex++] : undefined;
      const raw = span ? text.slice(span[0], span[1]) : JSON.stringify(element);
      const ambiguity = isContainer ? findAmbiguityIn(raw, element) : undefined;
      if (ambiguity) {
        verdicts[i] = { verdict: refuseAmbiguous(element, ambiguity), raw };
        return done();
      }
      this.clientJudge.judge(element, Buffer.from(raw), (verdict) => {
        verdicts[i] = { verdict, raw };
        done();
      });
    });
  }

  private enactorResult(v: { verdict: Verdict; raw: string }): { verdict: Verdict; raw: string } {
    return { verdict: this.enactor.enact(v.verdict), raw: v.raw };
  }

  /** A reply that needs no judging, written in its turn. */
  private queueReply(line: string): void {
    this.inOrder.reserve()(() => this.client.line(line));
  }

  private writeClientVerdict(verdict: Verdict, raw: Buffer): void {
    if (verdict.forward === true) this.server.line(raw);
    else if (typeof verdict.forward === 'string') this.server.line(verdict.forward);
    if (verdict.reply) this.client.line(verdict.reply);
  }

  // ── server → client ────────────────────────────────────────────────────────────────────────

  private onUpstreamLine(line: Buffer): void {
    const judged = this.judgeUpstreamLine(line);
    if (!Array.isArray(judged)) return this.writeServerVerdict(this.enactor.enact(judged), line);
    // A batch: what is kept goes on as one batch (its original text when nothing changed).
    const kept: string[] = [];
    let changed = false;
    for (const { verdict, value } of judged) {
      const v = this.enactor.enact(verdict);
      if (v.reply) this.server.answer(v.reply);
      if (v.notify) this.client.line(v.notify);
      if (v.forward === true) kept.push(JSON.stringify(value));
      else if (typeof v.forward === 'string') {
        kept.push(v.forward);
        changed = true;
      } else changed = true;
    }
    if (!changed) this.client.raw(line);
    else if (kept.length > 0) this.client.line(`[${kept.join(',')}]\n`);
  }

  /** One verdict for a single message; one per element, with the element, for a batch. */
  private judgeUpstreamLine(line: Buffer): Verdict | Array<{ verdict: Verdict; value: unknown }> {
    if (!isUtf8(line)) return this.serverJudge.dropAnswer(scannedId(line), 'it is not valid UTF-8');
    const text = line.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Servers that print banners or logs to stdout must not corrupt the client's stream; a
      // line that began as an answer (a second value after it, say) still finishes its request.
      const why = this.upstreamEnding ? `${this.upstreamEnding} in the middle of it` : 'it is not JSON';
      return this.serverJudge.dropAnswer(scannedId(line), why, `dropped a line from the server that is not JSON: ${preview(line)}`);
    }
    // Read differently by another client's parser, or too deep to handle safely: not relayed
    // (a bare CR is made a space on the way out instead).
    const ambiguity = findAmbiguityIn(text, value, true);
    if (ambiguity) {
      const why = describeViolation(ambiguity);
      if (!Array.isArray(value)) return this.serverJudge.dropAnswer(responseId(value), why);
      return value.map((e) => ({ verdict: this.serverJudge.dropAnswer(responseId(e), why), value: undefined }));
    }
    if (Array.isArray(value)) return value.map((element) => ({ verdict: this.serverJudge.judge(element), value: element }));
    return this.serverJudge.judge(value);
  }

  private writeServerVerdict(verdict: Verdict, line: Buffer | undefined): void {
    if (verdict.forward === true && line) this.client.raw(line);
    else if (typeof verdict.forward === 'string') this.client.line(`${verdict.forward}\n`);
    if (verdict.notify) this.client.line(verdict.notify);
    if (verdict.reply) this.server.answer(verdict.reply);
  }
}

function refuseAmbiguous(value: unknown, ambiguity: Ambiguity): Verdict {
  const msg = classify(value);
  const id = msg.kind === 'request' || msg.kind === 'invalid' ? msg.id : null;
  const why =
    ambiguity.kind === 'duplicate-key'
      ? `the message has the key "${ambiguity.key}" more than once (some parsers ignore letter case in keys); send each key once`
      : ambiguity.kind === 'control-character'
        ? 'a member name in the message contains a control character, which some parsers cut the name at; leave it out'
        : ambiguity.kind === 'carriage-return'
          ? 'the message contains a carriage return (CR) outside a string, which some servers read as a line break; leave it out'
          : `the message is nested more than ${ambiguity.limit} levels deep`;
  return {
    forward: false,
    reply: msg.kind !== 'notification' && msg.kind !== 'response' ? errorLine(id, INVALID_REQUEST, `mcp-guard: ${why}`) : undefined,
    log: { level: 'warn', message: `refused a message: ${why}` },
  };
}

/** The id of a response that is one, for finishing its request when the line is dropped. */
function responseId(value: unknown): string | number | undefined {
  const msg = classify(value);
  return msg.kind === 'response' && msg.id !== null ? msg.id : msg.kind === 'invalid' && msg.id !== null ? msg.id : undefined;
}

/** The top-level id of a line that could not be parsed, read the way the streaming scanner reads it. */
function scannedId(line: Buffer): string | number | undefined {
  const scanner = new ResponseScanner();
  scanner.push(line);
  return idOfScan(scanner.summary());
}

function preview(line: Buffer): string {
  const text = line.subarray(0, 200).toString('utf8');
  return line.length > 200 ? `${text}…` : text;
}
