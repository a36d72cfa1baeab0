import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListRootsRequestSchema, type Tool, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type SupervisedChild, startChild } from '../child/child.js';
import { ChildTransport } from '../child/transport.js';
import { GuardError, SpawnError } from '../errors.js';

export type { Tool };

/** A server that keeps handing out cursors is broken; stop rather than loop forever. */
const MAX_PAGES = 1_000;
/** How much of the server's stderr a failure message quotes. */
const STDERR_TAIL = 2_000;
/**
 * Servers may add tools once they know what the client can do (server-everything registers its
 * sampling, elicitation and roots tools after `initialized`, then says `tools/list_changed`).
 * Listing waits this long for such a change, and lists again after one.
 */
const SETTLE_MS = 200;
/** Once the answer is in: how long the server may take to exit after its stdin closes, and again after SIGTERM. */
const STOP_GRACE_MS = 1_000;

/**
 * Starts an MCP server over stdio, lists its tools (every page of `tools/list`) and stops it.
 * The whole exchange has one deadline; the server runs in its own process group (src/child/),
 * which is always stopped (stdin closed, then SIGTERM, then SIGKILL, to the whole group) as soon
 * as the answer is in, whether listing worked, failed, timed out or was interrupted (`signal`).
 */
export async function listServerTools(
  command: string,
  args: string[],
  opts: { timeoutMs: number; cwd?: string; env?: Record<string, string>; signal?: AbortSignal },
): Promise<Tool[]> {
  let child: SupervisedChild;
  try {
    // The server gets the same environment it would get under `mcp-guard run` (plus a client config's `env`).
    child = await startChild(command, args, {
      stderr: 'pipe',
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
  } catch (error) {
    if (error instanceof SpawnError && error.code === 'COMMAND_NOT_FOUND') throw new GuardError('SERVER_NOT_FOUND', error.message, { exitCode: 2, cause: error });
    if (error instanceof SpawnError) throw new GuardError('SERVER_NOT_EXECUTABLE', error.message, { exitCode: 2, cause: error });
    throw error;
  }
  const transport = new ChildTransport(child, STOP_GRACE_MS);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  // Declare what a full client declares, so the server shows every tool an agent could be offered.
  const client = new Client({ name: 'mcp-guard-lint', version: '1' }, { capabilities: { sampling: {}, elicitation: {}, roots: {} } });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  let changes = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  const shown = [command, ...args].join(' ');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GuardError('SERVER_TIMEOUT', `the server did not list its tools within ${opts.timeoutMs / 1000} s: ${shown}${tail(stderr)}`, { exitCode: 2 })), opts.timeoutMs);
    onAbort = () => reject(new GuardError('INTERRUPTED', `interrupted; the server was stopped: ${shown}`, { exitCode: 130 }));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const listAll = async (): Promise<Tool[]> => {
    await client.connect(transport, { timeout: opts.timeoutMs });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    for (let attempt = 0; ; attempt++) {
      const seen = changes;
      const tools = await list();
      if (changes === seen || attempt === 2) return tools;
    }
  };
  const list = async (): Promise<Tool[]> => {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: opts.timeoutMs });
      tools.push(...result.tools);
      if (result.nextCursor === undefined || result.nextCursor === cursor) return tools;
      cursor = result.nextCursor;
    }
    throw new GuardError('SERVER_FAILED', `the server kept paginating tools/list past ${MAX_PAGES} pages: ${shown}`, { exitCode: 2 });
  };
  try {
    return await Promise.race([listAll(), deadline]);
  } catch (error) {
    if (error instanceof GuardError) throw error;
    throw new GuardError('SERVER_FAILED', `could not list the server's tools (${(error as Error).message}): ${shown}${tail(stderr)}`, { exitCode: 2, cause: error });
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    // Closing the client closes the transport, which stops the server's whole group.
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
}

function tail(stderr: string): string {
  const text = stderr.trim().split('\n').slice(-3).join(' | ');
  return text === '' ? '' : `; its stderr ended with: ${text}`;
}
