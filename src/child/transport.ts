import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SupervisedChild } from './child.js';

/**
 * The SDK's `Transport` over a supervised child's stdio, so that an SDK `Client` can talk to a
 * server that runs in its own process group (the SDK's StdioClientTransport spawns its own
 * child, which a wrapper such as `npx` can outlive). Closing it stops the child's whole group.
 */
export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(
    private readonly child: SupervisedChild,
    private readonly graceMs: number,
  ) {}

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
        for (let message = this.readNext(); message !== null; message = this.readNext()) this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    });
    this.child.stdout.on('error', (error) => this.onerror?.(error));
    void this.child.exited.then(() => this.finish());
  }

  /** The next whole message; a line that is not JSON-RPC is reported and skipped. */
  private readNext(): JSONRPCMessage | null {
    for (;;) {
      try {
        return this.buffer.readMessage();
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.child.stdin.destroyed) return Promise.reject(new Error('the server has exited'));
    return new Promise((resolve) => {
      if (this.child.stdin.write(serializeMessage(message))) resolve();
      else this.child.stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    await this.child.stop(this.graceMs);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
