import { killAllGroups } from '../child/process-group.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `work` with Ctrl-C / SIGTERM / SIGHUP turned into an abort, so that a command can stop
 * its server (lint --server, init) or undo itself (venv create) before it exits.
 */
export async function withInterruption<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Not `once`: execa's exit hook re-raises a signal nobody else listens to, which would kill us
  // before the undo runs. A second signal, though, is the user insisting: let it end the process,
  // and take every server it started along.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) return controller.abort();
    for (const name of SIGNALS) process.off(name, onSignal);
    killAllGroups();
    process.kill(process.pid, signal);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const name of SIGNALS) process.off(name, onSignal);
  }
}
