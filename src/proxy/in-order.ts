/**
 * Keeps what client messages produce in the order they arrived while some wait for the state
 * store (a grant limit counted in Redis): each message reserves a place, and what it writes runs
 * once every message before it has run. Messages whose verdict comes at once run at once.
 * (A call waiting for a person is not held here: its place runs at once with nothing to write.)
 */
export class InOrder {
  private readonly queue: Array<{ run: (() => void) | undefined }> = [];
  private head = 0;
  /** Called when the queue empties after having waited. */
  onDrained: (() => void) | undefined;

  /** Places still waiting to run. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Reserves the next place; call the returned function with what to write, at once or later. */
  reserve(): (run: () => void) => void {
    const slot: { run: (() => void) | undefined } = { run: undefined };
    this.queue.push(slot);
    return (run) => {
      slot.run = run;
      this.drain();
    };
  }

  private drain(): void {
    const waited = this.size > 1;
    while (this.head < this.queue.length) {
      const slot = this.queue[this.head]!;
      if (!slot.run) return;
      this.head++;
      slot.run();
    }
    this.queue.length = 0;
    this.head = 0;
    if (waited) this.onDrained?.();
  }
}
