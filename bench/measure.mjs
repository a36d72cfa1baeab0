// One run of one target: spawn it, then measure startup, sequential latency, pipelined
// throughput, large results and peak RSS, in that order, on the same session.
import { RpcClient, nowNs } from './rpc-client.mjs';

const ECHO_PARAMS = { name: 'echo', arguments: { text: 'The quick brown fox jumps over the lazy dog.' } };
const MIB = 1024 * 1024;

/** How much work each phase does. `full` is what `npm run bench` runs; `quick` is for the smoke test. */
export const COUNTS = {
  full: { warmupCalls: 500, latencyCalls: 1500, pipelinedCalls: 15000, inFlight: 64, largeCalls: 10, largeBytes: 4 * MIB },
  quick: { warmupCalls: 5, latencyCalls: 20, pipelinedCalls: 200, inFlight: 64, largeCalls: 2, largeBytes: 4 * MIB },
};

/** Rejects with a message naming the phase (and what the target said on stderr) if `promise` is too slow. */
async function phase(name, client, timeoutMs, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const tail = client.stderrTail.trim();
      reject(new Error(`no answer within ${timeoutMs} ms${tail ? `; its stderr ends:\n${tail}` : ''}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    throw new Error(`${name}: ${error.message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds from spawn to the `initialize` answer (the request is written right after spawn). */
async function startup(client) {
  const result = await client.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'mcp-guard-bench', version: '1.0.0' },
  });
  const ms = (nowNs() - client.spawnedAtNs) / 1e6;
  if (!result?.serverInfo) throw new Error('the initialize answer has no serverInfo');
  client.notify('notifications/initialized');
  return ms;
}

/** Round-trip times (µs) of `count` echo calls, one at a time. */
async function sequentialLatency(client, count) {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = nowNs();
    await client.request('tools/call', ECHO_PARAMS);
    samples[i] = (nowNs() - start) / 1e3;
  }
  return samples.sort();
}

/** Echo calls per second with `inFlight` requests outstanding until `total` are answered. */
function pipelinedThroughput(client, total, inFlight) {
  const paramsJson = JSON.stringify(ECHO_PARAMS);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    let owed = 0;
    let failed = false;
    let start = 0;
    // Answers that arrive in one stdout chunk are replaced by one write, after the chunk is done.
    const refill = () => {
      const count = Math.min(owed, total - sent);
      owed = 0;
      if (count <= 0) return;
      sent += count;
      client.sendMany('tools/call', paramsJson, count, onAnswer);
    };
    const onAnswer = (error) => {
      if (failed) return;
      if (error) {
        failed = true;
        reject(error);
        return;
      }
      answered++;
      if (answered === total) {
        resolve(total / ((nowNs() - start) / 1e9));
        return;
      }
      if (owed++ === 0) process.nextTick(refill);
    };
    start = nowNs();
    sent = Math.min(inFlight, total);
    client.sendMany('tools/call', paramsJson, sent, onAnswer);
  });
}

/** MiB/s of `count` sequential `blob` calls answering `bytes` bytes of text each. */
async function largeResults(client, count, bytes) {
  const params = { name: 'blob', arguments: { size: bytes } };
  const check = (message) => {
    const length = message.result?.content?.[0]?.text?.length ?? 0;
    if (length < bytes) throw new Error(`a ${bytes}-byte blob answer was only ${length} bytes long`);
  };
  const call = () =>
    new Promise((resolve, reject) => {
      client.send('tools/call', params, (error, message) => (error ? reject(error) : resolve(message)));
    });
  check(await call()); // warm-up: the fixture builds and caches the body on the first call
  const start = nowNs();
  for (let i = 0; i < count; i++) check(await call());
  return (count * bytes) / MIB / ((nowNs() - start) / 1e9);
}

/**
 * Runs every phase against a freshly spawned `command args` and returns the figures:
 * `{ startupMs, p50Us, p99Us, callsPerSecond, largeMiBPerSecond, peakRssKiB, toolsListed }`.
 * On a failure the error carries `figures`: those of the phases that completed before it.
 */
export async function measureTarget({ command, args, env, expectTools }, counts, timeoutMs) {
  const client = new RpcClient(command, args, { env });
  const figures = {};
  try {
    figures.startupMs = await phase('startup', client, timeoutMs, startup(client));
    const list = await phase('tools/list', client, timeoutMs, client.request('tools/list', {}));
    const names = new Set((list?.tools ?? []).map((tool) => tool.name));
    if (!names.has('echo') || !names.has('blob')) throw new Error(`tools/list does not offer echo and blob (got ${[...names].join(', ')})`);
    // A guard that ignored its policy would be measured doing less than it should.
    if (expectTools !== undefined && names.size !== expectTools) throw new Error(`tools/list offers ${names.size} tools; the policy allows ${expectTools}`);
    figures.toolsListed = names.size;
    await phase('warm-up', client, timeoutMs, pipelinedThroughput(client, counts.warmupCalls, counts.inFlight));
    const latency = await phase('latency', client, timeoutMs, sequentialLatency(client, counts.latencyCalls));
    figures.p50Us = percentile(latency, 0.5);
    figures.p99Us = percentile(latency, 0.99);
    figures.callsPerSecond = await phase('pipelined', client, timeoutMs, pipelinedThroughput(client, counts.pipelinedCalls, counts.inFlight));
    figures.largeMiBPerSecond = await phase('large results', client, timeoutMs, largeResults(client, counts.largeCalls, counts.largeBytes));
    // VmHWM is the peak over the process's whole life, read just before it is asked to exit.
    figures.peakRssKiB = client.peakRssKiB();
    await client.close();
    return figures;
  } catch (error) {
    client.kill();
    error.figures = figures;
    throw error;
  }
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
