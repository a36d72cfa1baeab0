import { existsSync, readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect, workspace, type Workspace } from './guard.js';

/** The records of an audit log, parsed. */
export function auditRecords(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A real session: the SDK client through the built CLI (`--audit-log`) to the echo fixture,
 * driven by `drive`, which returns how many decisions it caused; resolves once the guard has
 * exited and the audit log holds them all.
 */
export async function recordSession(policy: unknown, drive: (client: Client) => Promise<number>, ws: Workspace = workspace(policy)): Promise<Workspace> {
  ws.writePolicy(policy);
  const before = auditRecords(ws.auditFile).length;
  const { client } = await connect(ws);
  const decisions = await drive(client);
  await client.close();
  // The guard writes what is left of its log as it exits, a moment after the client closed.
  const deadline = Date.now() + 10_000;
  while (auditRecords(ws.auditFile).length < before + decisions) {
    if (Date.now() > deadline) throw new Error(`the audit log has ${auditRecords(ws.auditFile).length - before} of ${decisions} records`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return ws;
}

/** Calls a tool and returns the decision mcp-guard reports (`allowed` when it passed). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  return ((result._meta?.['mcp-guard'] as { decision?: string } | undefined)?.decision) ?? 'allowed';
}
