import type { Ticket } from '../limits/limiter.js';

/**
 * Tasks (the `io.modelcontextprotocol/tasks` extension, and 2025-11-25's core tasks): a tool
 * call the server turns into a task is finished later, through `tasks/get` (or `tasks/result`).
 * mcp-guard remembers which call each task id of this session belongs to, lets `tasks/*`
 * requests through only for those ids (SPEC §4), and keeps the call's units until the task's
 * final outcome: a `failed` task (a JSON-RPC error) gives them back, as the call's own error would.
 */
export interface TaskEntry {
  /** The tool (or other subject) of the call that created it. */
  subject: string;
  method: string;
  ticket: Ticket | undefined;
  /** Set once a terminal status has been seen (its units settled, its outcome audited). */
  finished: boolean;
}

export const TASK_METHODS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/update', 'tasks/result', 'tasks/cancel']);
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

const MAX_TASKS = 10_000;

export class TaskRegistry {
  private readonly tasks = new Map<string, TaskEntry>();

  add(taskId: string, entry: Omit<TaskEntry, 'finished'>): void {
    if (this.tasks.size >= MAX_TASKS) {
      // Forget the oldest finished one (or, failing that, the oldest): the table stays bounded.
      const victim = [...this.tasks].find(([, t]) => t.finished)?.[0] ?? this.tasks.keys().next().value!;
      this.tasks.delete(victim);
    }
    this.tasks.set(taskId, { ...entry, finished: false });
  }

  get(taskId: unknown): TaskEntry | undefined {
    return typeof taskId === 'string' ? this.tasks.get(taskId) : undefined;
  }

  owns(taskId: unknown): boolean {
    return this.get(taskId) !== undefined;
  }
}

/**
 * The task id a tool result creates, if it is a task handle: the extension's
 * `{ resultType: "task", taskId, status }`, or 2025-11-25's `{ task: { taskId, … } }`.
 */
export function createdTaskId(result: Record<string, unknown>): string | undefined {
  if (result.resultType === 'task' && typeof result.taskId === 'string') return result.taskId;
  const task = result.task as Record<string, unknown> | undefined;
  if (task !== null && typeof task === 'object' && typeof task.taskId === 'string' && result.content === undefined) return task.taskId;
  return undefined;
}
