import { PassThrough } from 'node:stream';
import { Limiter } from '../../src/limits/limiter.js';
import { compilePolicy } from '../../src/policy/engine/compile.js';
import type { PolicyDocument } from '../../src/policy/engine/types.js';
import { ApprovalBroker } from '../../src/proxy/approval.js';
import { Relay } from '../../src/proxy/relay.js';
import { hostFileSystem } from '../../src/policy/host-file-system.js';

/**
 * The real Relay over in-memory streams (no child process, no state database, a frozen clock),
 * for properties that need many runs. Nothing about the protocol is stood in for: it is the relay.
 */
export async function inProcessRelay(policyDoc: unknown, maxMessageBytes: number) {
  const policy = await compilePolicy(policyDoc as PolicyDocument, '/virtual/fuzz-policy.json', { pathEnv: hostFileSystem() });
  const [clientIn, clientOut, upstreamIn, upstreamOut] = [new PassThrough(), new PassThrough(), new PassThrough(), new PassThrough()];
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
