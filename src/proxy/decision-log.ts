import type { CompiledPolicy } from '../policy/engine/compile.js';
import type { Decision } from '../policy/engine/decision.js';
import { type Direction, subjectOf } from '../policy/engine/decide.js';
import type { PinEvent } from '../pins/pin-events.js';
import type { JsonRpcId } from '../protocol/message.js';
import type { AuditLog, AuditRecord } from './audit.js';
import type { Log } from './log.js';

export interface DecisionLogOptions {
  policy: () => CompiledPolicy;
  audit: () => AuditLog | undefined;
  session: string;
  dryRun: boolean;
  verbose: boolean;
  /** --quiet: refusals are not written to stderr either (so not even formatted). */
  quiet?: boolean;
  log: Log;
  now(): number;
}

/** Where every decision is written down: the audit log (SPEC §7), and stderr for refusals. */
export class DecisionLog {
  constructor(private readonly options: DecisionLogOptions) {}

  /**
   * Whether a decision leaves any trace: an audit log is open, or it goes to stderr (a refusal
   * unless --quiet, anything with --verbose). Most allowed calls leave none, and are not unpacked.
   */
  wants(decision: Decision): boolean {
    if (decision.outcome === 'refuse' ? !this.options.quiet : this.options.verbose) return true;
    return this.options.audit() !== undefined;
  }

  record(direction: Direction, method: string, id: JsonRpcId | undefined, params: Record<string, unknown> | undefined, decision: Decision, note?: Record<string, unknown>): void {
    // Refusals are worth a line on stderr (a client's server log is where a person looks first);
    // every other decision only with --verbose.
    if (decision.outcome === 'refuse' ? !this.options.quiet : this.options.verbose) this.logDecision(direction, method, params, decision);
    const log = this.options.audit();
    if (!log) return;
    const record: AuditRecord = {
      time: new Date(this.options.now()).toISOString(),
      session: this.options.session,
      direction,
      method,
      ...(id === undefined ? {} : { id }),
      ...subjectOf(method, params),
      decision: decision.outcome === 'refuse' ? decision.decision : 'allowed',
      rule: decision.rule,
      ...(decision.outcome === 'refuse' ? { reason: decision.reason } : {}),
      ...(decision.outcome === 'refuse' && decision.retryAfterSeconds !== undefined ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
      ...(decision.outcome === 'ask' ? { approval: 'would ask (dry run)' } : {}),
      dryRun: this.options.dryRun,
      ...note,
    };
    if (this.options.policy().auditArguments && params && 'arguments' in params) record.arguments = params.arguments;
    log.record(record);
  }

  /** A definition that did not match its pin: audited with rule `pin`; the person is told once per definition. */
  recordPin(event: PinEvent): void {
    if (event.message) this.options.log('warn', event.message);
    const log = this.options.audit();
    if (!log) return;
    log.record({
      time: new Date(this.options.now()).toISOString(),
      session: this.options.session,
      direction: event.direction,
      method: event.method,
      ...(event.id === undefined ? {} : { id: event.id }),
      ...(event.kind === 'tools' ? { tool: event.name } : event.kind === 'prompts' ? { prompt: event.name } : { resourceTemplate: event.name }),
      decision: event.decision,
      rule: 'pin',
      reason: event.reason,
      dryRun: this.options.dryRun,
    });
  }

  private logDecision(direction: Direction, method: string, params: Record<string, unknown> | undefined, decision: Decision): void {
    const subject = subjectOf(method, params);
    const what = `${method}${subject ? ` ${JSON.stringify(subject.tool ?? subject.prompt ?? subject.uri)}` : ''} (${direction})`;
    if (decision.outcome === 'refuse') {
      this.options.log('info', `${this.options.dryRun ? 'would refuse' : 'refused'} ${what}: ${decision.decision} by ${decision.rule}: ${decision.reason}`);
    } else {
      this.options.log('debug', `${decision.outcome === 'ask' ? 'would ask for' : 'allowed'} ${what} by ${decision.rule}`);
    }
  }
}
