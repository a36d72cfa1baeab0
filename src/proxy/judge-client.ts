import type { ChargeOutcome, Limiter, Ticket } from '../limits/limiter.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { type Decision, refuse, type RefuseDecision } from '../policy/engine/decision.js';
import { type DecideContext, decideMessage, subjectOf } from '../policy/engine/decide.js';
import { classify, errorLine, INTERNAL_ERROR, INVALID_REQUEST, type JsonRpcId, type Message, resultLine } from '../protocol/message.js';
import type { CallCheck } from '../pins/pin-events.js';
import type { SessionPins } from '../pins/session-pins.js';
import type { ApprovalBroker, ApprovalOutcome } from './approval.js';
import {
  approvalAnswer,
  approvalInputRequired,
  ApprovalTokens,
  callDigest,
  canElicitIn,
  isModernRequest,
  MODERN_REVISION,
  MRTR_METHODS,
  type RetryMemory,
  withoutOwnInput,
} from './modern.js';
import type { PendingRequests } from './pending-requests.js';
import { TASK_METHODS, type TaskRegistry } from './tasks.js';
import { DROP, type Judged, RELAY, refusalVerdict, type Verdict, withPinEvents } from './verdict.js';

export interface ClientJudgeDeps {
  policy(): CompiledPolicy;
  pending: PendingRequests;
  limiter: Limiter;
  approvals: ApprovalBroker;
  dryRun: boolean;
  now(): number;
  /** Why the upstream is gone, once it is. */
  upstreamGone(): string | undefined;
  /** A verdict reached after the message's turn (a person answered): enact and write it now. */
  later(verdict: Verdict, raw: Buffer): void;
  /** What this session knows of 2026-07-28 and of tasks, shared with the server side. */
  session: SessionProtocol;
  /** Pinning of the server's definitions (SPEC §12), checked after the policy lets a call through and before its limits. */
  pins?: SessionPins;
}

/** What the relay learns about the session's protocol as messages go by. */
export interface SessionProtocol {
  /** A request or the `initialize` named 2026-07-28 or later. */
  modern: boolean;
  tasks: TaskRegistry;
  retries: RetryMemory;
  tokens: ApprovalTokens;
  /** Tools the server's tools/list marks read-only (they may name a folder holding mcp-guard's files). */
  readOnlyTools: Set<string>;
}

type Request = Extract<Message, { kind: 'request' }>;
type Notification = Extract<Message, { kind: 'notification' }>;

/**
 * Judges client→server messages (SPEC §4): the policy's decision, then the limits' units, then a
 * person's answer for `ask`. Every outcome is a Verdict handed to `settle`, at once or (when the
 * state store or a person answers later) afterwards; this module writes and records nothing.
 */
export class ClientJudge {
  private readonly context: DecideContext;

  constructor(private readonly d: ClientJudgeDeps) {
    this.context = { readOnlyTool: (name) => d.session.readOnlyTools.has(name) };
  }

  judge(value: unknown, raw: Buffer, settle: (verdict: Verdict) => void): void {
    const msg = classify(value);
    switch (msg.kind) {
      case 'invalid':
        return settle({
          forward: false,
          reply: errorLine(msg.id, INVALID_REQUEST, `mcp-guard: invalid JSON-RPC message: ${msg.why}`),
          log: { level: 'warn', message: `refused an invalid JSON-RPC message from the client: ${msg.why}` },
        });
      case 'response':
        // Answers to mcp-guard's own requests (approval) are consumed, never relayed.
        if (this.d.approvals.takeResponse(msg.id, msg.value)) return settle(DROP);
        return settle(this.d.upstreamGone() === undefined ? RELAY : DROP);
      case 'notification':
        return this.notification(msg, settle);
      case 'request':
        return this.request(msg, raw, settle);
    }
  }

  private notification(msg: Notification, settle: (verdict: Verdict) => void): void {
    if (msg.method === 'notifications/cancelled') this.cancel(msg.params?.requestId);
    const judged = { direction: 'client→server' as const, method: msg.method, id: undefined, params: msg.params };
    const decision = decideMessage(this.d.policy(), 'client→server', msg.method, msg.params);
    if (decision.outcome === 'allow' && decision.rule === 'lifecycle') return settle(this.relayUnlessGone(RELAY));
    if (decision.outcome === 'refuse') return settle(refusalVerdict(judged, decision, this.d.dryRun));
    // A notification cannot wait for a person.
    if (decision.outcome === 'ask') return settle(refusalVerdict(judged, refuse('approval_unavailable', decision.rule, 'a notification cannot wait for approval'), this.d.dryRun));
    if (this.d.pins) {
      return this.afterPins(msg.method, undefined, msg.params, (check) =>
        check.refusal ? settle(refusalVerdict(judged, check.refusal, this.d.dryRun)) : this.chargeNotification(msg, decision, withPinEvents(settle, check.events)),
      );
    }
    this.chargeNotification(msg, decision, settle);
  }

  private chargeNotification(msg: Notification, decision: Exclude<Decision, { outcome: 'refuse' }>, settle: (verdict: Verdict) => void): void {
    const judged = { direction: 'client→server' as const, method: msg.method, id: undefined, params: msg.params };
    this.d.limiter.charge(decision.charges, this.d.now(), (outcome) => {
      if (!outcome.ok) return settle(refusalVerdict(judged, outcome.refusal, this.d.dryRun));
      settle(this.relayUnlessGone({ forward: true, judged: { ...judged, decision } }));
    });
  }

  /**
   * `notifications/cancelled`: a request still being judged or waiting for a person is never
   * relayed; one relayed keeps its id in use until the server answers (SPEC §4), and the answer
   * is dropped and gives nothing back.
   */
  private cancel(requestId: unknown): void {
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const entry = this.d.pending.get(requestId);
    if (!entry) return;
    if (entry.state === 'approval') entry.abort?.abort();
    else if (entry.state === 'judging') entry.cancelledWhileJudging = true;
    else if (entry.state === 'in-flight') entry.state = 'cancelled';
  }

  private request(msg: Request, raw: Buffer, settle: (verdict: Verdict) => void): void {
    const { id, method, params } = msg;
    // mcp-guard's own requests to the server (pinning's tools/list) keep their ids too.
    if (this.d.pins?.ownsId(id) || !this.d.pending.open(id, method, params)) {
      const why = this.d.pending.has(id) || this.d.pins?.ownsId(id)
        ? `the id ${JSON.stringify(id)} is already used by a request that has not been answered`
        : 'too many requests are waiting for an answer; wait for some to finish';
      return settle({ forward: false, reply: errorLine(id, INVALID_REQUEST, `mcp-guard: ${why}`) });
    }
    const gone = this.d.upstreamGone();
    if (gone) {
      this.d.pending.close(id);
      return settle({ forward: false, reply: errorLine(id, INTERNAL_ERROR, `mcp-guard: ${gone}`) });
    }
    const session = this.d.session;
    if (method === 'initialize') {
      const caps = (params?.capabilities ?? {}) as Record<string, unknown>;
      this.d.approvals.clientCanElicit = caps.elicitation !== undefined && caps.elicitation !== null;
      if (typeof params?.protocolVersion === 'string' && params.protocolVersion >= MODERN_REVISION) session.modern = true;
    }
    if (isModernRequest(params)) session.modern = true;
    const modern = session.modern;
    const entry = this.d.pending.get(id)!;
    entry.modern = modern;
    const decision = decideMessage(this.d.policy(), 'client→server', method, params, this.context);
    // The decision goes with it; a refusal below puts its own in its place (refusalVerdict).
    const judged: Judged = { direction: 'client→server', method, id, params, modern, decision };
    if (decision.outcome === 'refuse') return settle(this.refused(id, judged, decision));
    if (TASK_METHODS.has(method) && !session.tasks.owns(params?.taskId)) {
      const reason = `the task ${JSON.stringify(params?.taskId ?? null)} was not created in this session; a session can only read, update or cancel its own tasks`;
      return settle(this.refused(id, judged, refuse('denied', 'tasks', reason)));
    }
    if (decision.outcome === 'allow' && decision.rule === 'lifecycle') return settle(this.relayed(id, undefined, RELAY));
    if (MRTR_METHODS.has(method) && params && (params.requestState !== undefined || params.inputResponses !== undefined)) {
      if (ApprovalTokens.isOurs(params.requestState)) return settle(this.approvalRetry(msg, judged, decision));
      // A retry of a call the server answered with input_required: judged again (above), but
      // neither charged nor asked about twice; the units of the first attempt go with it.
      const first = session.retries.take(params, callDigest(method, params), this.d.now());
      if (first) return settle(this.relayed(id, first.ticket, { forward: true, judged: { ...judged, decision: { outcome: 'allow', rule: decision.rule, charges: [] } } }));
    }
    if (this.d.pins) {
      return this.afterPins(method, id, params, (check) =>
        check.refusal ? settle(this.refused(id, judged, check.refusal)) : this.chargeRequest(msg, raw, decision, judged, withPinEvents(settle, check.events)),
      );
    }
    this.chargeRequest(msg, raw, decision, judged, settle);
  }

  /**
   * Pinning's word on a call the policy lets through (SPEC §12), then `next`. When it comes after
   * the call's chunk was handled (mcp-guard listed the server's tools first), the grant units
   * `next` charges are sent to the store at once rather than with a chunk that will never come.
   */
  private afterPins(method: string, id: JsonRpcId | undefined, params: Record<string, unknown> | undefined, next: (check: CallCheck) => void): void {
    let late = false;
    this.d.pins!.checkCall(method, id, params, (check) => {
      next(check);
      if (late) this.d.limiter.flush();
    });
    late = true;
  }

  /** The call's units, then a person's answer for `ask`. */
  private chargeRequest(msg: Request, raw: Buffer, decision: Exclude<Decision, { outcome: 'refuse' }>, judged: Judged, settle: (verdict: Verdict) => void): void {
    const { id, params } = msg;
    const modern = judged.modern === true;
    this.d.limiter.charge(decision.charges, this.d.now(), (outcome: ChargeOutcome) => {
      if (!outcome.ok) return settle(this.refused(id, judged, outcome.refusal));
      if (decision.outcome === 'ask' && !this.d.dryRun) {
        // A 2026-07-28 client gets no server→client requests: it is asked in an input_required result.
        if (modern && decision.via !== 'terminal' && canElicitIn(params)) return settle(this.askInBand(msg, judged, decision, outcome.ticket));
        this.ask(msg, raw, decision, outcome.ticket);
        return settle(DROP);
      }
      settle(this.relayed(id, outcome.ticket, { forward: true, judged }));
    });
  }

  /**
   * SPEC §6 in a 2026-07-28 session: the call is answered with an `input_required` result asking
   * the client for a person's yes, under mcp-guard's own authenticated `requestState`; the
   * client's retry brings the answer (see approvalRetry). What the call's limits took is kept for
   * the retry, and given back if none comes before the token expires.
   */
  private askInBand(msg: Request, judged: Omit<Judged, 'decision'>, decision: Extract<Decision, { outcome: 'ask' }>, ticket: Ticket | undefined): Verdict {
    const { id, method, params } = msg;
    const policy = this.d.policy();
    const expiresAt = this.d.now() + policy.approvalTimeoutMs;
    const token = this.d.session.tokens.issue(callDigest(method, params), expiresAt);
    this.heldForApproval.set(token, {
      ticket,
      timer: setTimeout(() => {
        if (this.heldForApproval.delete(token)) this.d.limiter.refund(ticket);
      }, policy.approvalTimeoutMs + 1000).unref(),
    });
    this.d.pending.close(id);
    const subject = subjectOf(method, params);
    const what = subject?.tool ?? subject?.prompt ?? subject?.uri ?? method;
    const question = `An agent wants to call "${what}"${decision.reason ? ` (${decision.reason})` : ''} with arguments ${JSON.stringify(params?.arguments ?? {})}. Allow this call?`;
    // Recorded once the retry brings the answer (accepted or declined), like every approval.
    void judged;
    void decision;
    return { forward: false, reply: resultLine(id, approvalInputRequired(question, token)) };
  }

  /** The retry that brings a person's answer to askInBand: the token must be ours, for this call, unexpired and unused. */
  private approvalRetry(msg: Request, judged: Omit<Judged, 'decision'>, decision: Decision): Verdict {
    const { id, method, params } = msg;
    const token = params!.requestState as string;
    const check = this.d.session.tokens.check(token, callDigest(method, params), this.d.now());
    const held = this.heldForApproval.get(token);
    if (!check.ok) return this.refused(id, judged, refuse('denied', 'approval', `the approval this call carries is not valid: ${check.why}; call the tool again to be asked afresh`));
    this.heldForApproval.delete(token);
    if (held) clearTimeout(held.timer);
    const answer = approvalAnswer(params);
    if (answer !== 'accept') {
      this.d.limiter.refund(held?.ticket);
      const refusal = answer === undefined ? refuse('approval_unavailable', decision.rule, 'the retry carried no answer to the approval request') : approvalRefusal('decline', decision.rule, 0);
      return this.refused(id, judged, refusal);
    }
    // Judged again after the yes (decision was made on this retry): a path may have been swapped meanwhile.
    if (decision.outcome === 'refuse') {
      this.d.limiter.refund(held?.ticket);
      return this.refused(id, judged, decision);
    }
    const allowed: Decision = { outcome: 'allow', rule: decision.rule, charges: decision.charges };
    return this.relayed(id, held?.ticket, { forward: withoutOwnInput(msg.value), judged: { ...judged, decision: allowed, note: { approval: 'accepted' } } });
  }

  /** Calls asked about in band, by token: what their limits took, until the retry or the expiry. */
  private readonly heldForApproval = new Map<string, { ticket: Ticket | undefined; timer: NodeJS.Timeout }>();

  private refused(id: JsonRpcId, judged: Omit<Judged, 'decision'>, decision: RefuseDecision): Verdict {
    const verdict = refusalVerdict(judged, decision, this.d.dryRun);
    if (verdict.forward) return this.relayed(id, undefined, verdict);
    this.d.pending.close(id);
    return verdict;
  }

  /** The request goes to the server: it is in flight until answered. */
  private relayed(id: JsonRpcId, ticket: Ticket | undefined, verdict: Verdict): Verdict {
    const gone = this.d.upstreamGone();
    if (gone) {
      this.d.limiter.refund(ticket);
      this.d.pending.close(id);
      return { ...verdict, forward: false, reply: errorLine(id, INTERNAL_ERROR, `mcp-guard: ${gone}`) };
    }
    const entry = this.d.pending.get(id);
    if (entry) {
      // Cancelled while its units were being counted: it is relayed in its turn, before the
      // cancellation (which follows it in order), and its answer will be dropped.
      entry.state = entry.cancelledWhileJudging ? 'cancelled' : 'in-flight';
      entry.ticket = ticket;
    }
    return verdict;
  }

  private relayUnlessGone(verdict: Verdict): Verdict {
    return this.d.upstreamGone() === undefined ? verdict : { ...verdict, forward: false };
  }

  /**
   * Waits for a person (SPEC §6), then judges the call again — a path may have been swapped for a
   * symlink meanwhile — and relays it, or answers the refusal. The units taken stay taken while
   * it waits, and are given back if it is refused.
   */
  private ask(msg: Request, raw: Buffer, decision: Extract<Decision, { outcome: 'ask' }>, ticket: Ticket | undefined): void {
    const { id, method, params } = msg;
    const entry = this.d.pending.get(id)!;
    const controller = new AbortController();
    entry.state = 'approval';
    entry.abort = controller;
    const subject = subjectOf(method, params);
    const policy = this.d.policy();
    const judged = { direction: 'client→server' as const, method, id, params, modern: entry.modern };
    void this.d.approvals
      .ask(
        {
          tool: subject?.tool ?? subject?.prompt ?? subject?.uri ?? method,
          arguments: params?.arguments ?? {},
          reason: decision.reason,
          rule: decision.rule,
          timeoutMs: policy.approvalTimeoutMs,
          via: decision.via,
        },
        controller.signal,
      )
      .then((answer) => {
        // The session ended meanwhile: the client was already answered.
        if (this.d.pending.get(id) !== entry) return this.d.limiter.refund(ticket);
        if (answer === 'accept') {
          const again = decideMessage(this.d.policy(), 'client→server', method, params, this.context);
          if (again.outcome === 'refuse') {
            this.d.limiter.refund(ticket);
            this.d.pending.close(id);
            return this.d.later(refusalVerdict(judged, again, false), raw);
          }
          return this.d.later(
            this.relayed(id, ticket, { forward: true, judged: { ...judged, decision: { outcome: 'allow', rule: decision.rule, charges: decision.charges }, note: { approval: 'accepted' } } }),
            raw,
          );
        }
        this.d.limiter.refund(ticket);
        this.d.pending.close(id);
        const refusal = approvalRefusal(answer, decision.rule, Math.round(policy.approvalTimeoutMs / 1000));
        // A request the client cancelled gets no answer (MCP: the receiver does not respond).
        const verdict = refusalVerdict(judged, refusal, false);
        this.d.later(answer === 'cancelled' ? { ...verdict, reply: undefined } : verdict, raw);
      });
  }
}

function approvalRefusal(answer: Exclude<ApprovalOutcome, 'accept'>, rule: string, seconds: number): RefuseDecision {
  switch (answer) {
    case 'cancelled':
      return refuse('approval_declined', rule, 'cancelled by the client while waiting for approval');
    case 'timeout':
      return refuse('approval_timeout', rule, `nobody approved this call within ${seconds} s; ask the user to approve it, then try again`);
    case 'decline':
      return refuse('approval_declined', rule, 'a person declined this call; do not retry it without asking the user');
    case 'unavailable':
      return refuse('approval_unavailable', rule, "this call needs a person's approval, and none could be asked");
  }
}
