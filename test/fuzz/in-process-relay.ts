import { PassThrough, type Writable } from 'node:stream';
import { Limiter } from '../../src/limits/limiter.js';
import { compilePolicy } from '../../src/policy/engine/compile.js';
import type { PolicyDocument } from '../../src/policy/engine/types.js';
import type { ProtectedLocation } from '../../src/policy/engine/self-protection.js';
import { ApprovalBroker } from '../../src/proxy/approval.js';
import { Relay } from '../../src/proxy/relay.js';
import { hostFileSystem } from '../../src/policy/host-file-system.js';

export interface InProcessOptions {
  /** The policy's path (default a virtual one). */
  policyFile?: string;
  /** mcp-guard's own files, for self-protection (default none). */
  protect?: readonly ProtectedLocation[];
  /** What the relay writes to the server goes here (default a PassThrough the test reads). */
  upstreamIn?: Writable;
  /** What the relay writes to the client goes here (default a PassThrough the test reads). */
  clientOut?: Writable;
}

/**
 * The real Relay over in-memory streams (no child process, no state database, a frozen clock),
 * for properties that need many runs. Nothing about the protocol is stood in for: it is the relay.
 */
export async function inProcessRelay(policyDoc: unknown, maxMessageBytes: number, options: InProcessOptions = {}) {
  const policy = await compilePolicy(policyDoc as PolicyDocument, options.policyFile ?? '/virtual/fuzz-policy.json', { pathEnv: hostFileSystem(), protect: options.protect });
  const [clientIn, upstreamOut] = [new PassThrough(), new PassThrough()];
  const upstreamIn = options.upstreamIn ?? new PassThrough();
  const clientOut = options.clientOut ?? new PassThrough();
  const noDatabase = () => {
    throw new Error('this test has no state database');
  };
  const relay = new Relay({
    policy: () => policy,
    limiter: new Limiter(noDatabase, 'fuzz'),
    approvals: new ApprovalBroker({ sendToClient: (l) => clientOut.write(l), store: { createApproval: noDatabase, approvalStatus: noDatabase, answerApproval: noDatabase }, storeFlag: '', session: 'fuzz', notify: () => undefined, now: () => 0 }),
    audit: () => undefined,
    dryRun: false,
    maxMessageBytes,
    session: 'fuzz',
    clientIn,
    clientOut,
    upstreamIn,
    upstreamOut,
    verbose: false,
    log: () => undefined,
    now: () => 0,
  });
  relay.start();
  return { relay, clientIn, clientOut, upstreamIn, upstreamOut };
}
