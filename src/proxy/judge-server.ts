import type { Limiter } from '../limits/limiter.js';
import type { CompiledPolicy } from '../policy/engine/compile.js';
import { decideMessage } from '../policy/engine/decide.js';
import { classify, errorLine, INTERNAL_ERROR, type JsonRpcId, type Message } from '../protocol/message.js';
import { filterListResult, LIST_MEMBER_OF, LIST_METHODS } from './filter-lists.js';
import { withholdResourceLinks } from './filter-resource-links.js';
import type { PendingRequests } from './pending-requests.js';
import { DROP, RELAY, refusalVerdict, type Verdict } from './verdict.js';

export interface ServerJudgeDeps {
  policy(): CompiledPolicy;
  pending: PendingRequests;
  limiter: Limiter;
  dryRun: boolean;
}

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
    return [...notifications].map((method) => `${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
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
        return { forward: true, judged: { ...judged, decision } };
      }
    }
  }

  /** Whether the answer to this request may be streamed as it arrives, or must be judged whole. */
  needsWholeAnswer(id: JsonRpcId): boolean {
    const entry = this.d.pending.get(id);
    if (!entry || entry.state !== 'in-flight') return true;
    if (LIST_METHODS.has(entry.method)) return true;
    return entry.method === 'tools/call' && this.d.policy().refusesResources;
  }

  /**
   * A response to a request in flight is relayed (filtered where the policy says so); one to an
   * id mcp-guard never relayed, or whose request was cancelled, is dropped. A JSON-RPC error
   * gives back what the call's limits took: the server did not run it.
   */
  private response(msg: Response): Verdict {
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
    let changed: Record<string, unknown> | undefined;
    if (LIST_METHODS.has(entry.method)) {
      const filtered = filterListResult(policy, entry.method, result as Record<string, unknown>);
      if (filtered.kind !== 'refused') this.remember(entry.method, result as Record<string, unknown>);
      if (filtered.kind === 'refused') return this.failed(msg.id!, filtered.why);
      changed = filtered.result;
    } else if (entry.method === 'tools/call' && policy.refusesResources) {
      const filtered = withholdResourceLinks(policy, result as Record<string, unknown>);
      if (filtered.kind === 'refused') return this.failed(msg.id!, filtered.why);
      changed = filtered.result;
    }
    return changed ? { forward: JSON.stringify({ ...msg.value, result: changed }) } : RELAY;
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
    const entry = id === undefined ? undefined : this.d.pending.get(id);
    const log = { level: 'warn' as const, message: logged };
    if (id === undefined || !entry || (entry.state !== 'in-flight' && entry.state !== 'cancelled')) return { forward: false, log };
    this.d.pending.take(id);
    if (entry.state === 'cancelled') return { forward: false, log };
    return { ...this.failed(id, why), log };
  }
}

export { DROP };
