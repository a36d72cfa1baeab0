import type { Limiter } from '../limits/limiter.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { decideMessage } from '../policy/engine/decide.js';
import { classify, errorLine, INTERNAL_ERROR, type JsonRpcId, type Message } from '../protocol/message.js';
import type { SessionPins } from '../pins/session-pins.js';
import { filterListResult, isListEntryVisible, LIST_MEMBER_OF, LIST_METHODS, withoutNames } from './filter-lists.js';
import { withholdResourceLinks } from './filter-resource-links.js';
import type { SessionProtocol } from './judge-client.js';
import { callDigest, judgeInputRequests, MRTR_METHODS } from './modern.js';
import type { PendingRequest, PendingRequests } from './pending-requests.js';
import { refusalLine } from './refusal.js';
import { createdTaskId, TERMINAL_STATUSES } from './tasks.js';
import { DROP, RELAY, refusalVerdict, type Verdict } from './verdict.js';

export interface ServerJudgeDeps {
  policy(): CompiledPolicy;
  pending: PendingRequests;
  limiter: Limiter;
  dryRun: boolean;
  session: SessionProtocol;
  now(): number;
  /** Pinning of the server's definitions (SPEC §12): list results are reviewed, its own answers taken. */
  pins?: SessionPins;
}

/** Requests whose answer (a task's state or its result) is judged like a tool result. */
const TASK_PAYLOAD_METHODS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/result', 'tasks/list']);

type Response = Extract<Message, { kind: 'response' }>;

/**
 * Judges server→client messages (SPEC §4): responses only to requests in flight, list results
 * filtered, refused resource links withheld, server requests and notifications by `methods`.
 * Returns the Verdict; writes and records nothing.
 */
/** The notification that tells a client a list's contents changed. */
const LIST_CHANGED: Record<string, string> = {
  'tools/list': 'notifications/tools/list_changed',
  'prompts/list': 'notifications/prompts/list_changed',
  'resources/list': 'notifications/resources/list_changed',
  'resources/templates/list': 'notifications/resources/list_changed',
};

/** The `subscriptions/listen` filter field that asks for each list_changed notification (2026-07-28). */
const LIST_CHANGED_FILTER: Record<string, string> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Entries remembered per list (all pages), to tell whether a new policy shows a different list. */
const MAX_REMEMBERED = 10_000;

export class ServerJudge {
  /** What the server listed (before filtering), per list method. */
  private readonly listed = new Map<string, Map<string, Record<string, unknown>>>();

  constructor(private readonly d: ServerJudgeDeps) {}

  /**
   * SPEC §2: after a reload, the list_changed notifications for every list whose visible entries
   * differ under the new policy, among the lists the client has been shown.
   */
  listChanges(previous: CompiledPolicy, next: CompiledPolicy): string[] {
    return this.changedLists(previous, next).flatMap((method) => this.listChangedLines(method));
  }

  /**
   * The lines that tell the client `method` happened: in a 2026-07-28 session only on the
   * `subscriptions/listen` streams that asked for it (each carries its subscription id), as a
   * server must not send what was not asked for; in earlier revisions, the plain notification.
   */
  listChangedLines(method: string): string[] {
    if (!this.d.session.modern) return [`${JSON.stringify({ jsonrpc: '2.0', method })}\n`];
    const filterKey = LIST_CHANGED_FILTER[method]!;
    const lines: string[] = [];
    for (const [id, entry] of this.d.pending.entries()) {
      if (entry.method !== 'subscriptions/listen' || entry.state !== 'in-flight') continue;
      const filter = entry.params?.notifications as Record<string, unknown> | undefined;
      if (filter?.[filterKey] !== true) continue;
      lines.push(`${JSON.stringify({ jsonrpc: '2.0', method, params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id } } })}\n`);
    }
    return lines;
  }

  private changedLists(previous: CompiledPolicy, next: CompiledPolicy): string[] {
    const notifications = new Set<string>();
    for (const [method, entries] of this.listed) {
      const result = { [LIST_MEMBER_OF[method]!]: [...entries.values()] };
      const shown = (policy: CompiledPolicy) => {
        const filtered = filterListResult(policy, method, result);
        return JSON.stringify(filtered.kind === 'changed' ? filtered.result : result);
      };
      const [before, after] = [shown(previous), shown(next)];
      if (before !== after) notifications.add(LIST_CHANGED[method]!);
    }
    return [...notifications];
  }

  private remember(method: string, result: Record<string, unknown>): void {
    const items = result[LIST_MEMBER_OF[method]!];
    if (!Array.isArray(items)) return;
    let entries = this.listed.get(method);
    if (!entries) this.listed.set(method, (entries = new Map()));
    for (const item of items) {
      if (item === null || typeof item !== 'object' || entries.size >= MAX_REMEMBERED) continue;
      const it = item as Record<string, unknown>;
      const key = String(it.name ?? it.uri ?? it.uriTemplate ?? '');
      entries.set(key, it);
      if (method === 'tools/list' && typeof it.name === 'string') {
        const annotations = it.annotations as Record<string, unknown> | undefined;
        if (annotations?.readOnlyHint === true) this.d.session.readOnlyTools.add(it.name);
        else this.d.session.readOnlyTools.delete(it.name);
      }
    }
  }

  judge(value: unknown): Verdict {
    const msg = classify(value);
    switch (msg.kind) {
      case 'invalid':
        return { forward: false, log: { level: 'warn', message: `dropped an invalid JSON-RPC message from the server: ${msg.why}` } };
      case 'response':
        return this.response(msg);
      case 'request':
      case 'notification': {
        const id = msg.kind === 'request' ? msg.id : undefined;
        const decision = decideMessage(this.d.policy(), 'server→client', msg.method, msg.params);
        if (decision.outcome === 'allow' && decision.rule === 'lifecycle') return RELAY;
        const judged = { direction: 'server→client' as const, method: msg.method, id, params: msg.params };
        // A refused server→client request is answered to the server and never reaches the client.
        if (decision.outcome === 'refuse') return refusalVerdict(judged, decision, this.d.dryRun);
        if (msg.kind === 'notification' && (msg.method === 'notifications/tasks' || msg.method === 'notifications/tasks/status')) return this.taskNotification(msg.params, { ...judged, decision });
        return { forward: true, judged: { ...judged, decision } };
      }
    }
  }

  /** Whether the answer to this request may be streamed as it arrives, or must be judged whole. */
  needsWholeAnswer(id: JsonRpcId): boolean {
    const entry = this.d.pending.get(id);
    if (!entry || entry.state !== 'in-flight') return true;
    if (LIST_METHODS.has(entry.method) || TASK_PAYLOAD_METHODS.has(entry.method)) return true;
    // A 2026-07-28 answer may ask for input; a task-augmented call may return a task handle.
    if (MRTR_METHODS.has(entry.method) && entry.modern) return true;
    if (entry.method === 'tools/call' && entry.params?.task !== undefined) return true;
    return entry.method === 'tools/call' && this.d.policy().refusesResources;
  }

  /**
   * A response to a request in flight is relayed (filtered where the policy says so); one to an
   * id mcp-guard never relayed, or whose request was cancelled, is dropped. A JSON-RPC error
   * gives back what the call's limits took: the server did not run it.
   */
  private response(msg: Response): Verdict {
    // The answer to mcp-guard's own tools/list (pinning): consumed, never relayed.
    if (msg.id !== null && this.d.pins?.takeAnswer(msg.id, msg.value)) return DROP;
    const entry = msg.id === null ? undefined : this.d.pending.get(msg.id);
    if (!entry || entry.state === 'judging' || entry.state === 'approval') {
      return { forward: false, log: { level: 'warn', message: `dropped a response from the server to an unknown request id ${JSON.stringify(msg.id)}` } };
    }
    this.d.pending.take(msg.id!);
    if (entry.state === 'cancelled') {
      return { forward: false, log: { level: 'debug', message: `dropped the server's late answer to the cancelled request ${JSON.stringify(msg.id)}` } };
    }
    if (msg.isError) {
      this.d.limiter.refund(entry.ticket);
      return RELAY;
    }
    const result = msg.value.result;
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return RELAY;
    const policy = this.d.policy();
    const res = result as Record<string, unknown>;
    if (MRTR_METHODS.has(entry.method) && res.resultType === 'input_required') return this.inputRequired(msg.id!, entry, res);
    if (entry.method === 'tools/call') {
      const taskId = createdTaskId(res);
      if (taskId !== undefined) {
        // The call goes on as a task: its units stay taken until the task's final outcome.
        this.d.session.tasks.add(taskId, { subject: String(entry.params?.name ?? ''), method: entry.method, ticket: entry.ticket });
        return RELAY;
      }
    }
    if (TASK_PAYLOAD_METHODS.has(entry.method)) return this.taskAnswer(msg.id!, entry, res, msg.value);
    let changed: Record<string, unknown> | undefined;
    if (LIST_METHODS.has(entry.method)) {
      const filtered = filterListResult(policy, entry.method, result as Record<string, unknown>);
      if (filtered.kind !== 'refused') this.remember(entry.method, result as Record<string, unknown>);
      if (filtered.kind === 'refused') return this.failed(msg.id!, filtered.why);
      changed = filtered.result;
      const review = this.d.pins?.reviewList(entry.method, msg.id!, entry.params, res, (e) => isListEntryVisible(policy, entry.method, e));
      if (review && review.hide.size > 0) changed = withoutNames(entry.method, changed ?? res, review.hide);
      if (review && review.events.length > 0) {
        return { forward: changed ? JSON.stringify({ ...msg.value, result: changed }) : true, pinEvents: review.events };
      }
    } else if (entry.method === 'tools/call' && policy.refusesResources) {
      const filtered = withholdResourceLinks(policy, result as Record<string, unknown>);
      if (filtered.kind === 'refused') return this.failed(msg.id!, filtered.why);
      changed = filtered.result;
    }
    return changed ? { forward: JSON.stringify({ ...msg.value, result: changed }) } : RELAY;
  }

  /**
   * An `input_required` answer (2026-07-28): each entry of its `inputRequests` is judged as the
   * server→client request it stands for; if one is refused, the client gets a refusal of its
   * call instead, and what the call took is given back (it did not complete). Otherwise it is
   * relayed, and the call is remembered so that its retry is not charged or asked about twice.
   */
  private inputRequired(id: JsonRpcId, entry: PendingRequest, result: Record<string, unknown>): Verdict {
    const refusal = judgeInputRequests(this.d.policy(), result.inputRequests);
    const judged = { direction: 'server→client' as const, method: entry.method, id, params: entry.params, modern: entry.modern };
    if (refusal) {
      const full = { ...judged, decision: refusal };
      if (this.d.dryRun) return { forward: true, judged: full };
      this.d.limiter.refund(entry.ticket);
      return { forward: false, notify: refusalLine(id, entry.method, refusal, entry.modern), judged: full };
    }
    this.d.session.retries.remember(result.requestState, callDigest(entry.method, entry.params), entry.ticket, this.d.now());
    return RELAY;
  }

  /**
   * The answer to `tasks/get`, `tasks/result` or `tasks/list`: judged like a tool result (its
   * resource links, the `inputRequests` of a task waiting for input), and a task's final outcome
   * settles its units (`failed`: given back) and is written to the audit log once.
   */
  private taskAnswer(id: JsonRpcId, entry: PendingRequest, result: Record<string, unknown>, envelope: Record<string, unknown>): Verdict {
    const policy = this.d.policy();
    if (entry.method === 'tasks/list') {
      // Only this session's tasks are shown.
      const tasks = result.tasks;
      if (!Array.isArray(tasks)) return RELAY;
      const own = tasks.filter((t) => t !== null && typeof t === 'object' && this.d.session.tasks.owns((t as Record<string, unknown>).taskId));
      return own.length === tasks.length ? RELAY : { forward: JSON.stringify({ ...envelope, result: { ...result, tasks: own } }) };
    }
    if (entry.method === 'tasks/result') {
      if (!policy.refusesResources) return RELAY;
      const filtered = withholdResourceLinks(policy, result);
      if (filtered.kind === 'refused') return this.failed(id, filtered.why);
      return filtered.kind === 'changed' ? { forward: JSON.stringify({ ...envelope, result: filtered.result }) } : RELAY;
    }
    const refused = judgeInputRequests(policy, result.inputRequests);
    const judged = { direction: 'server→client' as const, method: entry.method, id, params: entry.params, modern: entry.modern };
    if (refused) return this.d.dryRun ? { forward: true, judged: { ...judged, decision: refused } } : { forward: false, notify: refusalLine(id, entry.method, refused, entry.modern), judged: { ...judged, decision: refused } };
    const verdict = this.settleTask(entry.params?.taskId, result.status, judged);
    const payload = result.result;
    if (!policy.refusesResources || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return verdict;
    const filtered = withholdResourceLinks(policy, payload as Record<string, unknown>);
    if (filtered.kind === 'refused') return this.failed(id, filtered.why);
    return filtered.kind === 'changed' ? { ...verdict, forward: JSON.stringify({ ...envelope, result: { ...result, result: filtered.result } }) } : verdict;
  }

  /** A task's status seen: at its final one, its units are settled and its outcome audited, once. */
  private settleTask(taskId: unknown, status: unknown, judged: { direction: 'server→client'; method: string; id: JsonRpcId | undefined; params: Record<string, unknown> | undefined }): Verdict {
    const task = this.d.session.tasks.get(taskId);
    if (!task || task.finished || typeof status !== 'string' || !TERMINAL_STATUSES.has(status)) return RELAY;
    task.finished = true;
    // A failed task is a JSON-RPC error: the server did not complete the call.
    if (status === 'failed') this.d.limiter.refund(task.ticket);
    return { forward: true, judged: { ...judged, decision: { outcome: 'allow', rule: 'tasks', charges: [] }, note: { tool: task.subject, task: { id: String(taskId), status } } } };
  }

  /** `notifications/tasks` (the full task state): only for this session's tasks, judged as `tasks/get` is. */
  private taskNotification(params: Record<string, unknown> | undefined, judged: NonNullable<Verdict['judged']>): Verdict {
    const task = params && typeof params.taskId === 'string' ? params : ((params?.task as Record<string, unknown> | undefined) ?? params);
    if (!this.d.session.tasks.owns(task?.taskId)) return { forward: false, log: { level: 'debug', message: `dropped a task notification for a task this session did not create` } };
    const refused = judgeInputRequests(this.d.policy(), task?.inputRequests);
    if (refused) return { forward: false, judged: { ...judged, decision: refused } };
    const payload = task?.result;
    if (this.d.policy().refusesResources && payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
      const filtered = withholdResourceLinks(this.d.policy(), payload as Record<string, unknown>);
      // A notification cannot be answered with an error: one that cannot be judged is dropped.
      if (filtered.kind !== 'kept') return { forward: false, log: { level: 'debug', message: 'dropped a task notification carrying a result with refused resource links; tasks/get will carry it, judged' } };
    }
    return { forward: true, judged };
  }

  /** The server's answer is not relayed; the client gets an error in its place, never a wait without end. */
  failed(id: JsonRpcId, why: string): Verdict {
    return {
      forward: false,
      notify: errorLine(id, INTERNAL_ERROR, `mcp-guard: the server's answer was not relayed: ${why}`),
      log: { level: 'warn', message: `dropped the server's answer to request ${JSON.stringify(id)}: ${why}` },
    };
  }

  /**
   * A server line that cannot be relayed (not JSON, ambiguous, invalid UTF-8, too long): if it
   * answered a request in flight, that request is finished with -32603 instead.
   */
  dropAnswer(id: JsonRpcId | undefined, why: string, logged = `dropped a message from the server: ${why}`): Verdict {
    const log = { level: 'warn' as const, message: logged };
    if (id !== undefined && this.d.pins?.takeAnswer(id, undefined)) return { forward: false, log };
    const entry = id === undefined ? undefined : this.d.pending.get(id);
    if (id === undefined || !entry || (entry.state !== 'in-flight' && entry.state !== 'cancelled')) return { forward: false, log };
    this.d.pending.take(id);
    if (entry.state === 'cancelled') return { forward: false, log };
    return { ...this.failed(id, why), log };
  }
}

export { DROP };
