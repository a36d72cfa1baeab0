import { createInterface } from 'node:readline';
import { GuardError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import { formatPending } from './approvals.js';
import { type CliContext, diagnostic } from './context.js';

/** How often the store is asked for new pending calls. */
const POLL_MS = 500;

export function isTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * `approvals --watch` (SPEC §6): waits for pending calls and asks y/N for each on the terminal as
 * it arrives, one at a time, until Ctrl-C or Ctrl-D. Anything but y/yes is a no. A store that
 * cannot be reached for a while is reported once and asked again; the watch goes on.
 */
export async function watchApprovals(store: StateStore, ctx: CliContext): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: ctx.stdout, terminal: true });
  let stopped = false;
  let wake: (() => void) | undefined;
  let answer: ((text: string | undefined) => void) | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    ctx.stdout.write('\nStopped watching.\n');
    answer?.(undefined);
    wake?.();
  };
  rl.on('SIGINT', stop);
  rl.on('close', stop);
  const ask = (question: string) =>
    new Promise<string | undefined>((resolve) => {
      answer = resolve;
      rl.question(question, (text) => resolve(text));
    }).finally(() => (answer = undefined));
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  ctx.stdout.write(`Watching ${store.description} for calls waiting for approval (Ctrl-C to stop).\n`);
  const asked = new Set<string>();
  let lastProblem: string | undefined;
  try {
    while (!stopped) {
      try {
        for (const p of await store.listPendingApprovals(Date.now())) {
          if (stopped) break;
          if (asked.has(p.id)) continue;
          asked.add(p.id);
          // It may have been answered elsewhere, or expired, while an earlier one was asked about.
          if ((await store.approvalStatus(p.id)) !== 'pending' || Date.parse(p.expiresAt) <= Date.now()) continue;
          ctx.stdout.write(`\n${formatPending(p, Date.now())}`);
          const text = await ask(`Approve ${p.id}? [y/N] `);
          if (text === undefined) break;
          const yes = /^\s*y(?:es)?\s*$/i.test(text);
          const done = await store.answerApproval(p.id, yes ? 'approved' : 'denied', Date.now());
          ctx.stdout.write(done ? `${yes ? 'approved' : 'denied'} ${p.id}\n` : `${p.id} was answered elsewhere or expired meanwhile; nothing changed\n`);
        }
        if (lastProblem !== undefined) diagnostic(ctx, `${store.description} answers again; still watching`);
        lastProblem = undefined;
      } catch (error) {
        if (!(error instanceof GuardError) || error.code !== 'STATE_UNAVAILABLE') throw error;
        if (error.message !== lastProblem) diagnostic(ctx, `${error.message}; still watching`);
        lastProblem = error.message;
      }
      if (!stopped) await sleep();
    }
  } finally {
    rl.removeListener('close', stop);
    rl.close();
  }
}
