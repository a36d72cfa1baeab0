import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';
import type { ApprovalStatus, NewApproval, PendingApproval } from './store.js';

export type { ApprovalStatus, PendingApproval } from './store.js';

interface Row {
  id: string;
  tool: string;
  arguments: string;
  reason: string | null;
  rule: string;
  session: string;
  requested_at: number;
  expires_at: number;
  status: ApprovalStatus;
}

/** Approvals waiting in the state database, answered from any terminal. */
export class ApprovalStore {
  constructor(private readonly db: Database) {}

  create(entry: NewApproval): string {
    // Short enough to type, random enough not to be guessed or collide among pending approvals.
    const id = randomBytes(4).toString('hex');
    this.db
      .prepare('INSERT INTO approvals (id, tool, arguments, reason, rule, session, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, entry.tool, JSON.stringify(entry.arguments ?? {}), entry.reason ?? null, entry.rule, entry.session, entry.now, entry.now + entry.timeoutMs);
    return id;
  }

  status(id: string): ApprovalStatus | undefined {
    const row = this.db.prepare('SELECT status FROM approvals WHERE id = ?').get(id) as { status: ApprovalStatus } | undefined;
    return row?.status;
  }

  /** Moves a pending approval to its answer; false when there is no such pending, unexpired approval. */
  answer(id: string, status: Exclude<ApprovalStatus, 'pending'>, now: number): boolean {
    const result = this.db.prepare("UPDATE approvals SET status = ? WHERE id = ? AND status = 'pending' AND expires_at > ?").run(status, id, now);
    return result.changes === 1;
  }

  listPending(now: number): PendingApproval[] {
    const rows = this.db.prepare("SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY requested_at, id").all(now) as Row[];
    return rows.map((row) => ({
      id: row.id,
      tool: row.tool,
      arguments: JSON.parse(row.arguments) as unknown,
      reason: row.reason,
      rule: row.rule,
      session: row.session,
      requestedAt: new Date(row.requested_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
    }));
  }
}
