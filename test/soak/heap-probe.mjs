// Loaded into the guard by bench/soak.mjs (node --expose-gc --import): on SIGUSR2 it runs a full
// garbage collection and appends the live heap and RSS to SOAK_HEAP_FILE, so the soak can tell a
// leak (live memory that grows) from V8 sizing its heap to the load. stdout stays the guard's.
import { appendFileSync } from 'node:fs';

const file = process.env.SOAK_HEAP_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, rss: m.rss })}\n`);
  });
}
