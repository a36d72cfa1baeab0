import { accessSync, constants, statSync } from 'node:fs';
import { type SupervisedChild, startChild } from '../child/child.js';
import { findPolicyFile } from '../policy/source/discover.js';

/** Where the server's stderr goes when mcp-guard passes it through itself (see SessionIO). */
export interface ServerStderrSink {
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
}

export interface StartedUpstream {
  /** The policy file the session will load (found before anything starts: none found, nothing starts). */
  policyFile: string;
  upstream: SupervisedChild;
}

/**
 * The first step of a session, kept in a module of its own so it runs before the rest of
 * mcp-guard is loaded: find the policy file, then start the server, which boots while the guard
 * loads its code and compiles the policy (both took most of a session's start-up). The server
 * runs in its own process group and is killed with mcp-guard if mcp-guard itself fails
 * (src/child/); a policy that does not pass stops it before it has been sent anything.
 */
export async function startUpstream(command: string, args: string[], policy: string | undefined, serverStderr: ServerStderrSink | undefined): Promise<StartedUpstream> {
  const policyFile = await findPolicyFile({ explicit: policy, env: process.env, cwd: process.cwd() });
  // A policy file that cannot be read starts nothing: reading it says why, in the words run uses
  // for every policy error. (One that reads but does not pass is found while the server boots.)
  if (!readableFile(policyFile)) {
    const { readPolicySource } = await import('../policy/load.js');
    await readPolicySource(policyFile);
  }
  const upstream = await startChild(command, args, { stderr: serverStderr ? 'pipe' : 'inherit' });
  const stderr = upstream.stderr;
  if (stderr && serverStderr) {
    // The server blocks on its own stderr pipe while mcp-guard's reader is behind, as it would inheriting it.
    stderr.on('data', (chunk: Buffer) => {
      if (!serverStderr.write(chunk)) stderr.pause();
    });
    serverStderr.onDrain(() => stderr.resume());
  }
  return { policyFile, upstream };
}

/** Not missing, unreadable or a directory (what reading it would fail on at once). */
function readableFile(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return !statSync(file).isDirectory();
  } catch {
    return false;
  }
}
