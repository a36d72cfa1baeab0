import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { PolicyError } from '../errors.js';
import { expandHome } from '../paths/expand-home.js';
import { Limiter } from '../limits/limiter.js';
import { type CompiledPolicy, compilePolicy } from '../policy/engine/compile.js';
import { hostFileSystem } from '../policy/host-file-system.js';
import { type LoadedPolicy, loadPolicy } from '../policy/load.js';
import { SessionPins } from '../pins/session-pins.js';
import { openStateStore, resolveState } from '../state/open-store.js';
import { ApprovalBroker } from './approval.js';
import { AuditLog } from './audit.js';
import { watchPolicyFile } from './policy-watcher.js';
import { exposedOwnFiles, protectedLocations } from './protected-locations.js';
import { Relay } from './relay.js';
import { type ChildExit, exitStatusOf } from '../child/child.js';
import type { StartedUpstream } from './start-upstream.js';
import type { Log } from './log.js';

/** The `run` options, as both command-line parsers produce them. */
export interface SessionOptions {
  policy?: string;
  auditLog?: string;
  dryRun?: boolean;
  grant?: string;
  stateDir?: string;
  /** `--state <url>`: `sqlite:<dir>`, `redis://…`, `rediss://…` (SPEC §13). */
  state?: string;
  maxMessageBytes: number;
  shutdownTimeout: number;
  quiet?: boolean;
  verbose?: boolean;
}

export interface SessionIO {
  stdin: Readable;
  stdout: Writable;
  log: Log;
}

const MAX_WARNINGS_SHOWN = 10;

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

async function loadValidated(file: string, log: SessionIO['log']): Promise<LoadedPolicy> {
  const loaded = await loadPolicy(file);
  // A few warnings say enough on every start; lint lists them all.
  const shown = loaded.warnings.slice(0, MAX_WARNINGS_SHOWN);
  for (const w of shown) log('warn', `${w.file}:${w.line}:${w.column} warning: ${w.message} (${w.ruleId})`);
  const more = loaded.warnings.length - shown.length;
  if (more > 0) log('warn', `${file}: and ${more} more warning${more === 1 ? '' : 's'}; run mcp-guard lint ${file}`);
  return loaded;
}

async function compileLoaded(loaded: LoadedPolicy, own: { stateDir: string | undefined; auditLog: string | undefined }): Promise<CompiledPolicy> {
  const pathEnv = hostFileSystem();
  const auditLog = own.auditLog ?? loaded.document.audit?.path;
  const protect = protectedLocations({ policyFile: loaded.file, stateDir: own.stateDir, auditLog: auditLog === undefined ? undefined : expandHome(auditLog) }, pathEnv);
  try {
    return await compilePolicy(loaded.document, loaded.file, { pathEnv, protect });
  } catch (error) {
    throw new PolicyError(`${loaded.file}: ${(error as Error).message}`);
  }
}

/**
 * One guarded session, once its server has started (start-upstream.ts): load and compile the
 * policy (fail closed: a policy that does not pass stops the server before anything is relayed,
 * exit 2), relay until either side ends, stop the child, and resolve to the exit status.
 */
export async function runGuard(started: StartedUpstream, command: string, args: string[], options: SessionOptions, io: SessionIO): Promise<number> {
  const { policyFile, upstream } = started;
  const serverStderr = upstream.stderr;
  const stopServer = async (error: unknown): Promise<never> => {
    upstream.kill();
    await upstream.exited;
    throw error;
  };

  let loaded: LoadedPolicy;
  let state: ReturnType<typeof resolveState>;
  let store: Awaited<ReturnType<typeof openStateStore>>;
  try {
    loaded = await loadValidated(policyFile, io.log);
    // The state store: checked now (an insecure state dir is exit 2), opened on first use.
    state = resolveState({ state: options.state, stateDir: options.stateDir, policy: { state: loaded.document.state, file: policyFile } });
    store = await openStateStore(state);
  } catch (error) {
    return stopServer(error);
  }
  io.log('info', `policy ${policyFile}`);
  const session = randomBytes(6).toString('hex');
  const stateDir = state.location.kind === 'sqlite' ? state.location.dir : undefined;
  const storeFlag = state.location.kind === 'sqlite' ? ` --state-dir ${JSON.stringify(state.location.dir)}` : ` --state ${JSON.stringify(state.location.description)}`;
  const grantId = options.grant ?? resolve(policyFile);

  const audits = new Map<string, AuditLog>();
  const auditFor = (p: CompiledPolicy): AuditLog | undefined => {
    const path = options.auditLog ?? p.auditPath;
    if (!path) return undefined;
    const full = resolve(expandHome(path));
    let log = audits.get(full);
    if (!log) {
      log = new AuditLog(full);
      audits.set(full, log);
    }
    return log;
  };

  // Client input waits in its pipe until the relay starts below.
  let policy: CompiledPolicy;
  const own = { stateDir, auditLog: options.auditLog === undefined ? undefined : expandHome(options.auditLog) };
  for (const warning of exposedOwnFiles(loaded.document, { policyFile, stateDir, auditLog: undefined }, hostFileSystem())) io.log('warn', warning);
  try {
    policy = await compileLoaded(loaded, own);
  } catch (error) {
    return stopServer(error);
  }
  let audit = auditFor(policy);

  const limiter = new Limiter(() => store, grantId);
  const approvals = new ApprovalBroker({
    // Through the relay, which holds it while a long response is mid-stream.
    sendToClient: (line) => relay.sendToClient(line),
    store,
    storeFlag,
    session,
    notify: (message) => io.log('error', message),
    now: Date.now,
  });
  // Pinning (SPEC §12): the server's pins are read before anything is relayed, so judging stays synchronous.
  const pins = new SessionPins({
    store,
    grant: grantId,
    server: [command, ...args],
    mode: () => policy.pin,
    dryRun: Boolean(options.dryRun),
    now: Date.now,
    log: io.log,
    sendToServer: (line) => relay.sendToServer(line),
    listChanged: (notification) => relay.listChanged(notification),
    commandFlags: ` --policy ${JSON.stringify(policyFile)}${options.grant === undefined ? '' : ` --grant ${JSON.stringify(options.grant)}`}${storeFlag}`,
  });
  if (policy.pin !== 'off') await pins.load();
  const relay = new Relay({
    policy: () => policy,
    limiter,
    approvals,
    audit: () => audit,
    dryRun: Boolean(options.dryRun),
    verbose: Boolean(options.verbose),
    quiet: Boolean(options.quiet),
    maxMessageBytes: options.maxMessageBytes,
    session,
    clientIn: io.stdin,
    clientOut: io.stdout,
    upstreamIn: upstream.stdin,
    upstreamOut: upstream.stdout,
    log: io.log,
    now: Date.now,
    pins,
  });

  const stopWatching = watchPolicyFile(policyFile, () => {
    loadValidated(policyFile, io.log).then((next) => compileLoaded(next, own)).then(
      (next) => {
        const previous = policy;
        policy = next;
        relay.policyReloaded(previous, next);
        audit = auditFor(next);
        io.log('info', `policy reloaded from ${policyFile}`);
      },
      (error: Error) => io.log('error', `policy change ignored, the previous policy stays in force: ${error.message}`),
    );
  });

  // Shutdown: whichever side ends first starts it; the child's exit finishes it.
  let stopping: Promise<ChildExit> | undefined;
  const graceMs = options.shutdownTimeout * 1000;
  const stop = (why: string, first?: NodeJS.Signals) => {
    if (stopping) {
      if (first) upstream.kill();
      return;
    }
    io.log('debug', `stopping the server: ${why}`);
    stopping = upstream.stop(graceMs, first);
  };
  const onSignal = (sig: NodeJS.Signals) => stop(`received ${sig}`, sig);
  for (const sig of FORWARDED_SIGNALS) process.on(sig, onSignal);

  io.stdin.on('end', () => {
    relay.clientEnded();
    stop('the client closed stdin');
  });
  io.stdin.on('error', () => stop('the client input failed'));
  io.stdout.on('error', () => stop('the client stopped reading (stdout closed)'));
  upstream.stdout.on('end', () => {
    // Usually the child is exiting; give its exit status a moment to arrive so pending requests
    // are told how it ended. A server that closed stdout but keeps running can never answer.
    setTimeout(() => {
      if (!upstream.running()) return;
      relay.upstreamEnded('the upstream server closed its output');
      stop('the server closed its output');
    }, 250).unref();
  });
  relay.start();

  const exit = await upstream.exited;
  const status = exitStatusOf(exit);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  relay.upstreamEnded(`the upstream server ${how}`);
  if (!stopping) io.log(exit.code === 0 ? 'info' : 'warn', `the server ${how}`);

  // Clean up so the event loop can end on its own: no reads, no watchers, no timers, no handlers.
  for (const sig of FORWARDED_SIGNALS) process.off(sig, onSignal);
  stopWatching();
  pins.close();
  io.stdin.pause();
  io.stdin.destroy();
  // The server's last stderr lines still arrive; a grandchild holding the pipe must not hold mcp-guard.
  if (serverStderr && !serverStderr.destroyed) setTimeout(() => serverStderr.destroy(), 300).unref();
  for (const log of audits.values()) log.close();
  try {
    await store.close();
  } catch {
    // Closing a store that never connected, or lost its connection, changes nothing.
  }
  await drained(io.stdout);
  return status;
}

function drained(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    stream.once('drain', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
