import { isUtf8 } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import { type Ambiguity, findAmbiguity, MAX_NESTING, topLevelElements } from '../protocol/duplicate-keys.js';
import { LineSplitter, type StreamSink } from '../protocol/framing.js';
import { ResponseScanner } from '../protocol/response-scanner.js';
import {
  classify,
  errorLine,
  INTERNAL_ERROR,
  INVALID_REQUEST,
  type JsonRpcId,
  type Message,
  PARSE_ERROR,
} from '../protocol/message.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { type Decision, refuse } from '../policy/engine/decision.js';
import { decideMessage, subjectOf } from '../policy/engine/decide.js';
import type { Limiter, Ticket } from '../limits/limiter.js';
import type { ApprovalBroker } from './approval.js';
import type { AuditLog } from './audit.js';
import { DecisionLog } from './decision-log.js';
import { refusalLine } from './refusal.js';
import { filterListResult, LIST_METHODS } from './filter-lists.js';
import type { Log } from './log.js';

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
  /** A diagnostic for stderr; `level` lets --quiet and --verbose filter. */
  log: Log;
  now(): number;
}

/** A client request relayed to the upstream and not yet answered. */
interface Pending {
  method: string;
  ticket: Ticket | undefined;
}

const NEWLINE = Buffer.from('\n');

/**
 * Server lines longer than this are passed to the client while they arrive, when they are
 * responses that need no filtering: holding a 4 MiB result whole before relaying it halved
 * large-result throughput in the benchmark.
 */
const STREAM_THRESHOLD = 256 * 1024;

/** Bytes waiting to be written to the server past which mcp-guard stops queueing its own answers. */
const SERVER_ANSWER_BACKLOG = 16 * 1024 * 1024;

/**
 * Relays newline-delimited JSON-RPC between the client and the upstream, judging every message.
 * Client→server messages are relayed as the exact bytes judged; server→client messages are
 * relayed as their original bytes unless a list result had entries removed.
 */
export class Relay {
  private readonly pending = new Map<JsonRpcId, Pending>();
  /** Client requests waiting for a person's answer, by id: aborting ends the wait. */
  private readonly awaiting = new Map<JsonRpcId, AbortController>();
  /** Ids the client cancelled recently, so a late answer is not reported as unexpected. */
  private readonly cancelled = new Set<JsonRpcId>();
  private upstreamGone: string | undefined;
  /**
   * mcp-guard's own lines for the client, held while a long server response is being streamed to
   * it: a line cannot be interrupted, and one written into the middle corrupted both.
   */
  private held: string[] | undefined;
  /** Whether answers to the server's requests are being dropped (it does not read them). */
  private answersDropped = false;
  private readonly fromClient: LineSplitter;
  private readonly fromUpstream: LineSplitter;

  private readonly decisions: DecisionLog;

  constructor(private readonly o: RelayOptions) {
    this.decisions = new DecisionLog(o);
    this.fromClient = new LineSplitter(o.maxMessageBytes, {
      line: (line) => this.onClientLine(line),
      oversize: (bytes) => {
        this.o.log('warn', `refused a ${bytes}-byte message from the client: larger than --max-message-bytes (${this.o.maxMessageBytes})`);
        this.toClient(errorLine(null, INVALID_REQUEST, `mcp-guard: message of ${bytes} bytes exceeds the limit of ${this.o.maxMessageBytes} bytes`));
      },
    });
    this.fromUpstream = new LineSplitter(
      o.maxMessageBytes,
      {
        line: (line) => this.onUpstreamLine(line),
        oversize: (bytes) => this.o.log('warn', `dropped a ${bytes}-byte message from the server: larger than --max-message-bytes (${this.o.maxMessageBytes})`),
      },
      { thresholdBytes: STREAM_THRESHOLD, begin: (head) => this.streamUpstreamResponse(head) },
    );
  }

  /** Starts reading both sides. Backpressure: a side whose destination is full is paused until it drains. */
  start(): void {
    const { clientIn, clientOut, upstreamIn, upstreamOut } = this.o;
    clientIn.on('data', (chunk: Buffer) => {
      upstreamIn.cork();
      clientOut.cork();
      // Grant counters of the whole chunk commit in one transaction, and its audit records are
      // written, before anything it produced is uncorked.
      this.o.limiter.batch(() => this.fromClient.push(chunk));
      this.o.audit()?.flush();
      upstreamIn.uncork();
      clientOut.uncork();
      if (upstreamIn.writableNeedDrain || clientOut.writableNeedDrain) clientIn.pause();
    });
    upstreamOut.on('data', (chunk: Buffer) => {
      clientOut.cork();
      this.o.limiter.batch(() => this.fromUpstream.push(chunk));
      this.o.audit()?.flush();
      clientOut.uncork();
      if (clientOut.writableNeedDrain) upstreamOut.pause();
    });
    upstreamIn.on('drain', () => {
      if (!clientOut.writableNeedDrain) clientIn.resume();
    });
    clientOut.on('drain', () => {
      upstreamOut.resume();
      if (!upstreamIn.writableNeedDrain) clientIn.resume();
    });
  }

  /** The client's input ended: a last line without a newline is still judged. */
  clientEnded(): void {
    this.fromClient.end();
  }

  /** The upstream stopped (exited or closed its output): answer everything still waiting on it. */
  upstreamEnded(why: string): void {
    if (this.upstreamGone) return;
    this.fromUpstream.end();
    this.upstreamGone = why;
    for (const [id, pending] of this.pending) {
      if (pending.ticket) this.o.limiter.refund(pending.ticket);
      this.toClient(errorLine(id, INTERNAL_ERROR, `mcp-guard: ${why} before answering this request`));
    }
    this.pending.clear();
    const waiting = [...this.awaiting];
    this.awaiting.clear();
    for (const [id, controller] of waiting) {
      this.toClient(errorLine(id, INTERNAL_ERROR, `mcp-guard: ${why} while this request waited for approval`));
      controller.abort();
    }
    this.o.approvals.cancelAll();
  }

  private rememberCancelled(id: JsonRpcId): void {
    this.cancelled.add(id);
    if (this.cancelled.size > 1024) this.cancelled.delete(this.cancelled.values().next().value as JsonRpcId);
  }

  // ── client → server ────────────────────────────────────────────────────────────────────────

  private onClientLine(line: Buffer): void {
    // Invalid UTF-8 could decode differently upstream than here: what is relayed must be what was judged.
    if (!isUtf8(line)) {
      this.toClient(errorLine(null, PARSE_ERROR, 'mcp-guard: the message is not valid UTF-8'));
      return;
    }
    const text = line.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.o.log('warn', 'refused a line from the client that is not JSON');
      this.toClient(errorLine(null, PARSE_ERROR, 'mcp-guard: the message is not valid JSON'));
      return;
    }
    if (Array.isArray(value)) {
      this.onClientBatch(value, text);
      return;
    }
    const ambiguity = findAmbiguity(text);
    if (ambiguity) {
      this.refuseAmbiguous(value, ambiguity, (l) => this.toClient(l));
      return;
    }
    const outcome = this.judgeClientMessage(value, line);
    if (outcome.reply) this.toClient(outcome.reply);
    if (outcome.forward) this.toUpstream(line);
  }

  private refuseAmbiguous(value: unknown, ambiguity: Ambiguity, reply: (line: string) => void): void {
    const msg = classify(value);
    const id = msg.kind === 'request' || msg.kind === 'invalid' ? msg.id : null;
    const why =
      ambiguity.kind === 'duplicate-key'
        ? `the message has the key "${ambiguity.key}" more than once (some parsers ignore letter case in keys); send each key once`
        : ambiguity.kind === 'carriage-return'
          ? 'the message contains a carriage return (CR) outside a string, which some servers read as a line break; leave it out'
          : `the message is nested more than ${ambiguity.limit} levels deep`;
    this.o.log('warn', `refused a message: ${why}`);
    if (msg.kind !== 'notification' && msg.kind !== 'response') reply(errorLine(id, INVALID_REQUEST, `mcp-guard: ${why}`));
  }

  /**
   * A batch is judged element by element, as if each were sent alone. Allowed elements are relayed
   * as one batch made of their exact original text; refusals are answered in one batch.
   */
  private onClientBatch(elements: unknown[], text: string): void {
    if (elements.length === 0) {
      this.toClient(errorLine(null, INVALID_REQUEST, 'mcp-guard: an empty batch is not a valid request'));
      return;
    }
    const spans = topLevelElements(text);
    const forward: string[] = [];
    const replies: string[] = [];
    let objectIndex = 0;
    for (const element of elements) {
      const isContainer = element !== null && typeof element === 'object';
      const span = isContainer ? spans[objectIndex++] : undefined;
      const raw = span ? text.slice(span[0], span[1]) : JSON.stringify(element);
      const ambiguity = isContainer ? findAmbiguity(raw) : undefined;
      if (ambiguity) {
        this.refuseAmbiguous(element, ambiguity, (l) => replies.push(l.trimEnd()));
        continue;
      }
      const outcome = this.judgeClientMessage(element, Buffer.from(raw));
      if (outcome.reply) replies.push(outcome.reply.trimEnd());
      if (outcome.forward) forward.push(raw);
    }
    if (forward.length > 0) {
      const all = forward.length === elements.length;
      this.toUpstream(all ? Buffer.from(text) : Buffer.from(`[${forward.join(',')}]`));
    }
    if (replies.length > 0) this.toClient(`[${replies.join(',')}]\n`);
  }

  /**
   * Judges one client message. Returns what to do now; a call that needs approval is handled
   * asynchronously and relayed (or refused) when the person answers.
   */
  private judgeClientMessage(value: unknown, raw: Buffer | undefined): { forward: boolean; reply?: string } {
    const msg = classify(value);
    switch (msg.kind) {
      case 'invalid':
        this.o.log('warn', `refused an invalid JSON-RPC message from the client: ${msg.why}`);
        return { forward: false, reply: errorLine(msg.id, INVALID_REQUEST, `mcp-guard: invalid JSON-RPC message: ${msg.why}`) };
      case 'response':
        // Answers to mcp-guard's own requests (approval) are consumed, never relayed.
        if (this.o.approvals.takeResponse(msg.id, msg.value)) return { forward: false };
        return { forward: this.upstreamGone === undefined };
      case 'notification':
        return { forward: this.judgeClientNotification(msg) };
      case 'request':
        return this.judgeClientRequest(msg, raw);
    }
  }

  private judgeClientNotification(msg: Extract<Message, { kind: 'notification' }>): boolean {
    if (msg.method === 'notifications/cancelled') {
      const waiting = this.awaiting.get(msg.params?.requestId as JsonRpcId);
      if (waiting) {
        // The upstream never saw the request; end the wait and relay nothing.
        waiting.abort();
        return false;
      }
      // The client will ignore a late answer, and servers need not send one: forget the request
      // (without a refund: the server may have acted on it) so the table cannot grow.
      const requestId = msg.params?.requestId as JsonRpcId;
      if (this.pending.delete(requestId)) this.rememberCancelled(requestId);
    }
    const decision = decideMessage(this.o.policy(), 'client→server', msg.method, msg.params);
    if (decision.outcome === 'allow' && decision.rule === 'lifecycle') return this.upstreamGone === undefined;
    const final = decision.outcome === 'ask' ? refuse('approval_unavailable', decision.rule, 'a notification cannot wait for approval') : decision;
    this.decisions.record('client→server', msg.method, undefined, msg.params, final);
    if (final.outcome === 'refuse' && !this.o.dryRun) return false;
    if (final.outcome === 'allow' && final.charges.length > 0 && !this.o.dryRun) {
      const charged = this.o.limiter.charge(final.charges, this.o.now());
      if (!charged.ok) return false;
    }
    return this.upstreamGone === undefined;
  }

  private judgeClientRequest(msg: Extract<Message, { kind: 'request' }>, raw: Buffer | undefined): { forward: boolean; reply?: string } {
    const { id, method, params } = msg;
    if (this.pending.has(id) || this.awaiting.has(id)) {
      return { forward: false, reply: errorLine(id, INVALID_REQUEST, `mcp-guard: the id ${JSON.stringify(id)} is already used by a request that has not been answered`) };
    }
    if (this.upstreamGone) return { forward: false, reply: errorLine(id, INTERNAL_ERROR, `mcp-guard: ${this.upstreamGone}`) };
    if (method === 'initialize') {
      const caps = (params?.capabilities ?? {}) as Record<string, unknown>;
      this.o.approvals.clientCanElicit = caps.elicitation !== undefined && caps.elicitation !== null;
    }
    const policy = this.o.policy();
    let decision = decideMessage(policy, 'client→server', method, params);
    if (decision.outcome === 'allow' && decision.rule === 'lifecycle') {
      this.pending.set(id, { method, ticket: undefined });
      return { forward: true };
    }
    let ticket: Ticket | undefined;
    if (decision.outcome !== 'refuse' && decision.charges.length > 0) {
      const charged = this.o.limiter.charge(decision.charges, this.o.now());
      if (charged.ok) ticket = charged.ticket;
      else decision = charged.refusal;
    }
    if (decision.outcome === 'ask' && !this.o.dryRun) {
      this.askThenRelay(msg, decision, ticket, raw);
      return { forward: false };
    }
    this.decisions.record('client→server', method, id, params, decision);
    if (decision.outcome === 'refuse' && !this.o.dryRun) return { forward: false, reply: refusalLine(id, method, decision) };
    this.pending.set(id, { method, ticket });
    return { forward: true };
  }

  private askThenRelay(
    msg: Extract<Message, { kind: 'request' }>,
    decision: Extract<Decision, { outcome: 'ask' }>,
    ticket: Ticket | undefined,
    raw: Buffer | undefined,
  ): void {
    const { id, method, params } = msg;
    const controller = new AbortController();
    this.awaiting.set(id, controller);
    const subject = subjectOf(method, params);
    const name = subject?.tool ?? subject?.prompt ?? subject?.uri ?? method;
    void this.o.approvals
      .ask({ tool: name, arguments: params?.arguments ?? {}, reason: decision.reason, rule: decision.rule, timeoutMs: this.o.policy().approvalTimeoutMs }, controller.signal)
      .then((answer) => {
        // Not waiting any more: the upstream ended (and the client was answered) meanwhile.
        const stillWaiting = this.awaiting.delete(id);
        if (answer === 'accept' && stillWaiting) {
          this.decisions.record('client→server', method, id, params, { outcome: 'allow', rule: decision.rule, charges: decision.charges });
          this.pending.set(id, { method, ticket });
          this.toUpstream(raw ?? Buffer.from(JSON.stringify(msg.value)));
          return;
        }
        if (ticket) this.o.limiter.refund(ticket);
        if (!stillWaiting) return;
        const seconds = Math.round(this.o.policy().approvalTimeoutMs / 1000);
        const refusal =
          answer === 'cancelled'
            ? refuse('approval_declined', decision.rule, 'cancelled by the client while waiting for approval')
            : answer === 'timeout'
              ? refuse('approval_timeout', decision.rule, `nobody approved this call within ${seconds} s; ask the user to approve it, then try again`)
              : answer === 'decline'
                ? refuse('approval_declined', decision.rule, 'a person declined this call; do not retry it without asking the user')
                : refuse('approval_unavailable', decision.rule, "this call needs a person's approval, and none could be asked");
        this.decisions.record('client→server', method, id, params, refusal);
        // A request the client cancelled gets no answer (MCP: the receiver does not respond).
        if (answer !== 'cancelled') this.toClient(refusalLine(id, method, refusal));
      });
  }

  // ── server → client ────────────────────────────────────────────────────────────────────────

  private onUpstreamLine(line: Buffer): void {
    let value: unknown;
    const text = line.toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      // Servers that print banners or logs to stdout must not corrupt the client's stream.
      this.o.log('warn', `dropped a line from the server that is not JSON: ${preview(line)}`);
      return;
    }
    // Too deep to re-serialise or audit safely, or read differently by another client's parser
    // (a bare CR is made a space on the way out instead): not relayed.
    const ambiguity = findAmbiguity(text, true);
    if (ambiguity) {
      this.dropUpstreamLine(value, ambiguity);
      return;
    }
    if (Array.isArray(value)) {
      const kept: string[] = [];
      let changed = false;
      for (const element of value) {
        const out = this.judgeUpstreamMessage(element);
        if (out === undefined) changed = true;
        else if (out === true) kept.push(JSON.stringify(element));
        else {
          changed = true;
          kept.push(out);
        }
      }
      if (!changed) this.toClientRaw(line);
      else if (kept.length > 0) this.toClient(`[${kept.join(',')}]\n`);
      return;
    }
    const out = this.judgeUpstreamMessage(value);
    if (out === true) this.toClientRaw(line);
    else if (out !== undefined) this.toClient(`${out}\n`);
  }

  /** Drops a server line; a client request it answered gets an error instead, so none waits forever. */
  private dropUpstreamLine(value: unknown, ambiguity: Ambiguity): void {
    const why = ambiguity.kind === 'duplicate-key' ? `it has the key "${ambiguity.key}" more than once (letter case aside)` : `it is nested more than ${MAX_NESTING} levels deep`;
    this.o.log('warn', `dropped a message from the server: ${why}`);
    for (const element of Array.isArray(value) ? value : [value]) {
      const msg = classify(element);
      if (msg.kind !== 'response' || msg.id === null) continue;
      const pending = this.pending.get(msg.id);
      if (!pending) continue;
      this.pending.delete(msg.id);
      if (pending.ticket) this.o.limiter.refund(pending.ticket);
      this.toClient(errorLine(msg.id, INTERNAL_ERROR, `mcp-guard: the server's answer was not relayed: ${why}`));
    }
  }

  /**
   * Decides whether a long server line can be streamed to the client as it arrives: only a
   * response (a `result` or `error` member, no `method`) while no list request — whose result
   * might need entries removed — is waiting. Its id, often written last, is checked at the end.
   */
  private streamUpstreamResponse(head: Buffer[]): StreamSink | undefined {
    for (const p of this.pending.values()) if (LIST_METHODS.has(p.method)) return undefined;
    const scanner = new ResponseScanner();
    for (const part of head) scanner.push(part);
    const seen = scanner.summary();
    if (seen.malformed || !onlyResponseMembers(seen.keys) || !(seen.keys.includes('result') || seen.keys.includes('error'))) return undefined;
    if (seen.idText !== undefined && !this.pending.has(parseId(seen.idText) ?? NaN)) return undefined;
    const out = this.o.clientOut;
    for (const part of head) out.write(withoutCR(part));
    this.held = [];
    // Set when a member a response cannot have (e.g. "method") turns up after streaming began.
    let cutAt: string | undefined;
    return {
      write: (part) => {
        scanner.push(part);
        if (cutAt !== undefined) return;
        const keys = scanner.summary().keys;
        if (!onlyResponseMembers(keys)) {
          // The member is in this part, not yet written: end the line here, before it. The client
          // gets a line it cannot parse, rather than a request the policy never judged.
          cutAt = keys.find((k) => !RESPONSE_MEMBERS.has(k))!;
          out.write(NEWLINE);
          this.releaseHeld();
          return;
        }
        out.write(withoutCR(part));
      },
      end: () => {
        if (cutAt === undefined) {
          out.write(NEWLINE);
          this.releaseHeld();
        }
        const done = scanner.summary();
        if (!done.wellFormed) this.o.log('error', 'a long response from the server was malformed JSON; it had already been streamed to the client');
        const id = done.idText === undefined ? undefined : parseId(done.idText);
        const pending = id === undefined ? undefined : this.pending.get(id);
        if (cutAt !== undefined) this.o.log('error', `cut off a long response from the server when the member "${cutAt}" followed its result; a response cannot carry it`);
        if (!pending) {
          this.o.log('warn', `streamed a long response from the server with an unknown id ${done.idText ?? '(none)'}`);
          return;
        }
        this.pending.delete(id!);
        if (cutAt !== undefined) {
          if (pending.ticket) this.o.limiter.refund(pending.ticket);
          this.toClient(errorLine(id!, INTERNAL_ERROR, `mcp-guard: the server's answer was cut off: after its result it carried the member "${cutAt}", which a response cannot have`));
          return;
        }
        if (pending.ticket && (done.keys.includes('error') || done.isError)) this.o.limiter.refund(pending.ticket);
      },
      overflow: (bytes) => {
        if (cutAt === undefined) {
          out.write(NEWLINE);
          this.releaseHeld();
        }
        this.o.log('error', `a response from the server passed --max-message-bytes (${this.o.maxMessageBytes}) at ${bytes} bytes while being streamed; the client received it cut short`);
      },
    };
  }


  /** true: relay as is; a string: relay this instead; undefined: relay nothing. */
  private judgeUpstreamMessage(value: unknown): true | string | undefined {
    const msg = classify(value);
    switch (msg.kind) {
      case 'invalid':
        this.o.log('warn', `dropped an invalid JSON-RPC message from the server: ${msg.why}`);
        return undefined;
      case 'response': {
        const pending = msg.id === null ? undefined : this.pending.get(msg.id);
        if (!pending) {
          const late = msg.id !== null && this.cancelled.has(msg.id);
          this.o.log(late ? 'debug' : 'warn', `dropped a response from the server to ${late ? 'a cancelled' : 'an unknown'} request id ${JSON.stringify(msg.id)}`);
          return undefined;
        }
        this.pending.delete(msg.id!);
        const result = msg.value.result as Record<string, unknown> | undefined;
        // A call the upstream failed gives back what it consumed.
        if (pending.ticket && (msg.isError || result?.isError === true)) this.o.limiter.refund(pending.ticket);
        if (!msg.isError && LIST_METHODS.has(pending.method) && result) {
          const filtered = filterListResult(this.o.policy(), pending.method, result);
          if (filtered) return JSON.stringify({ ...msg.value, result: filtered });
        }
        return true;
      }
      case 'request':
      case 'notification': {
        const decision = decideMessage(this.o.policy(), 'server→client', msg.method, msg.params);
        if (decision.outcome === 'allow' && decision.rule === 'lifecycle') return true;
        const id = msg.kind === 'request' ? msg.id : undefined;
        this.decisions.record('server→client', msg.method, id, msg.params, decision);
        if (decision.outcome !== 'refuse' || this.o.dryRun) return true;
        // A refused server→client request is answered to the server and never reaches the client.
        if (msg.kind === 'request') this.answerServer(refusalLine(msg.id, msg.method, decision));
        return undefined;
      }
    }
  }

  // ── output ─────────────────────────────────────────────────────────────────────────────────

  private toClient(line: string): void {
    if (this.held) {
      this.held.push(line);
      // Read no more client input until the stream ends, so what is held stays small.
      this.o.clientIn.pause();
      return;
    }
    this.o.clientOut.write(line);
  }

  /** A line of mcp-guard's own for the client (approval requests), written between whole lines. */
  sendToClient(line: string): void {
    this.toClient(line);
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (!held || held.length === 0) return;
    for (const line of held) this.o.clientOut.write(line);
    if (!this.o.clientOut.writableNeedDrain && !this.o.upstreamIn.writableNeedDrain) this.o.clientIn.resume();
  }

  private toClientRaw(line: Buffer): void {
    this.o.clientOut.write(withoutCR(line));
    this.o.clientOut.write(NEWLINE);
  }

  /**
   * mcp-guard's own answer to a server request. A server that sends requests and never reads the
   * answers would have them pile up here without end (300 MiB in a test): past a backlog, they
   * are dropped — the server is not reading them anyway.
   */
  private answerServer(line: string): void {
    if (this.o.upstreamIn.writableLength > SERVER_ANSWER_BACKLOG) {
      if (!this.answersDropped) this.o.log('warn', 'the server is not reading its input: dropping mcp-guard\'s answers to its requests until it does');
      this.answersDropped = true;
      return;
    }
    this.answersDropped = false;
    this.toUpstream(Buffer.from(line));
  }

  private toUpstream(line: Buffer): void {
    if (this.upstreamGone || this.o.upstreamIn.destroyed) return;
    this.o.upstreamIn.write(line);
    this.o.upstreamIn.write(NEWLINE);
  }
}

/** The top-level members of a JSON-RPC response; any other makes a line something else to some client. */
const RESPONSE_MEMBERS = new Set(['jsonrpc', 'id', 'result', 'error']);

function onlyResponseMembers(keys: string[]): boolean {
  for (const key of keys) if (!RESPONSE_MEMBERS.has(key)) return false;
  return true;
}

/**
 * Server bytes as the client gets them. A CR in a line JSON.parse accepted can only be whitespace
 * (in a string it would be invalid JSON), but clients that end lines at CR (Node's readline,
 * Python's text streams) would read one message as two or three: it goes out as a space.
 */
function withoutCR(bytes: Buffer): Buffer {
  if (bytes.indexOf(13) === -1) return bytes;
  const copy = Buffer.from(bytes);
  for (let i = copy.indexOf(13); i !== -1; i = copy.indexOf(13, i + 1)) copy[i] = 32;
  return copy;
}

function preview(line: Buffer): string {
  const text = line.subarray(0, 200).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f\u001b]/g, '?');
  return line.length > 200 ? `${text}…` : text;
}

/** The id value from its raw JSON text (a string or a number); anything else matches no request. */
function parseId(text: string): JsonRpcId | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
