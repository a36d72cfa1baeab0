/** One audit record (SPEC §7). */
export interface AuditRecord {
  time: string;
  session: string;
  direction: 'client→server' | 'server→client';
  method: string;
  id?: string | number | null;
  tool?: string;
  uri?: string;
  prompt?: string;
  /** The name of a resource template (a pin's, SPEC §12). */
  resourceTemplate?: string;
  decision: string;
  rule: string;
  reason?: string;
  retryAfterSeconds?: number;
  dryRun: boolean;
  arguments?: unknown;
  /** How a person answered (`accepted`) for a call that asked first. */
  approval?: string;
  /** A task's outcome, recorded when it ends: `{ id, status }`. */
  task?: { id: string; status: string };
}

/**
 * An audit record as read back from a log (SPEC §7), tolerant of what it cannot use: a line that
 * is not a record is counted, never guessed at.
 */
export interface AuditEntry extends AuditRecord {
  /** `time` in ms since the epoch. */
  t: number;
  /** Where the record is: the log file and its 1-based line. */
  file: string;
  line: number;
}

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** Parses one line of an audit log; undefined when it is not an audit record. */
export function parseAuditLine(text: string, file: string, line: number): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.time !== 'string' || typeof r.session !== 'string' || typeof r.method !== 'string' || typeof r.decision !== 'string' || typeof r.rule !== 'string') return undefined;
  if (r.direction !== 'client→server' && r.direction !== 'server→client') return undefined;
  if (!optionalString(r.tool) || !optionalString(r.uri) || !optionalString(r.prompt) || !optionalString(r.reason) || !optionalString(r.approval)) return undefined;
  const t = Date.parse(r.time);
  if (!Number.isFinite(t)) return undefined;
  const id = r.id;
  return {
    time: r.time,
    t,
    session: r.session,
    direction: r.direction,
    method: r.method,
    ...(typeof id === 'string' || typeof id === 'number' || id === null ? { id } : {}),
    ...(r.tool !== undefined ? { tool: r.tool as string } : {}),
    ...(r.uri !== undefined ? { uri: r.uri as string } : {}),
    ...(r.prompt !== undefined ? { prompt: r.prompt as string } : {}),
    decision: r.decision,
    rule: r.rule,
    ...(r.reason !== undefined ? { reason: r.reason as string } : {}),
    ...(typeof r.retryAfterSeconds === 'number' ? { retryAfterSeconds: r.retryAfterSeconds } : {}),
    dryRun: r.dryRun === true,
    ...(r.approval !== undefined ? { approval: r.approval as string } : {}),
    ...(Object.hasOwn(r, 'arguments') ? { arguments: r.arguments } : {}),
    file,
    line,
  };
}

/** What a record is about: the tool, URI or prompt, else the method. */
export function subjectOf(entry: Pick<AuditEntry, 'method' | 'tool' | 'uri' | 'prompt'>): string {
  return entry.tool ?? entry.uri ?? entry.prompt ?? entry.method;
}
