// A dependency-free JSON-RPC client over a child's stdio: writes request lines to its stdin,
// splits its stdout on \n and matches answers by id. The same code drives every target.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LineSplitter } from './line-splitter.mjs';

const STDERR_TAIL_CHARS = 4000;

/** Nanoseconds on a monotonic clock, as a Number (exact to well past a day). */
export const nowNs = () => Number(process.hrtime.bigint());

export class RpcClient {
  /** Monotonic time (ns) just before the process was spawned. */
  spawnedAtNs;
  #child;
  #waiting = new Map();
  #nextId = 1;
  #stderrTail = '';
  #exit;
  #exited = false;

  /** Spawns `command args` with piped stdio. Nothing is written until the first request. */
  constructor(command, args, { cwd, env } = {}) {
    this.spawnedAtNs = nowNs();
    this.#child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.label = `the target (pid ${this.#child.pid ?? '-'})`;
    const splitter = new LineSplitter((line) => this.#onLine(line));
    this.#child.stdout.on('data', (chunk) => splitter.push(chunk));
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (text) => {
      this.#stderrTail = (this.#stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    // A target that dies mid-run fails every call still waiting, with what it said on stderr.
    this.#child.stdin.on('error', () => {});
    this.#exit = new Promise((resolve) => {
      this.#child.on('error', (error) => this.#fail(`could not start ${this.label}: ${error.message}`));
      this.#child.on('close', (code, signal) => {
        this.#exited = true;
        this.#fail(`${this.label} exited (${signal ?? `code ${code}`}) while calls were waiting`);
        resolve({ code, signal });
      });
    });
  }

  get pid() {
    return this.#child.pid;
  }

  get stderrTail() {
    return this.#stderrTail;
  }

  /** Sends one request; `callback(error, message)` runs when its answer arrives. Returns the id. */
  send(method, params, callback) {
    const id = this.#nextId++;
    this.#waiting.set(id, callback);
    this.#child.stdin.write(`{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${JSON.stringify(params)}}\n`);
    return id;
  }

  /** Sends several requests in one write (one syscall, as a busy client would). */
  sendMany(method, paramsJson, count, callback) {
    let text = '';
    for (let i = 0; i < count; i++) {
      const id = this.#nextId++;
      this.#waiting.set(id, callback);
      text += `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${paramsJson}}\n`;
    }
    this.#child.stdin.write(text);
  }

  /** Sends one request and resolves to its answer's `result`; rejects on an error or `isError` result. */
  request(method, params) {
    return new Promise((resolve, reject) => {
      this.send(method, params, (error, message) => (error ? reject(error) : resolve(message?.result)));
    });
  }

  notify(method, params = {}) {
    this.#child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  /** Peak resident set size (VmHWM, KiB) from /proc, or null off Linux or once the process is gone. */
  peakRssKiB() {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'latin1');
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  /** Closes stdin and waits for the process to exit; SIGKILLs it (this child only) after `graceMs`. */
  async close(graceMs = 5000) {
    this.#child.stdin.end();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.#exit, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout' && !this.#exited) {
      this.#child.kill('SIGKILL');
      await this.#exit;
      throw new Error(`${this.label} did not exit within ${graceMs} ms of its stdin closing`);
    }
    return outcome;
  }

  /** Kills the process if it is still running (cleanup after a failure). */
  kill() {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }

  #onLine(line) {
    // Every answer is parsed, large ones included, as any MCP client must: a 4 MiB figure is what
    // a client gets end to end, not raw pipe bandwidth.
    let message;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      this.#fail(`${this.label} wrote a line that is not JSON: ${line.subarray(0, 120).toString('utf8')}`);
      return;
    }
    const id = message?.id;
    if (id === undefined || id === null) return; // a notification, or an error without an id
    const callback = this.#waiting.get(id);
    if (callback === undefined) return;
    this.#waiting.delete(id);
    if (message.error) {
      callback(new Error(`${message.error.code}: ${message.error.message}`), message);
    } else if (message.result?.isError) {
      callback(new Error(`tool error: ${message.result.content?.[0]?.text ?? ''}`), message);
    } else {
      callback(null, message);
    }
  }

  #fail(reason) {
    if (this.#waiting.size === 0) return;
    const tail = this.#stderrTail.trim();
    const error = new Error(tail ? `${reason}; its stderr ends:\n${tail}` : reason);
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const callback of waiting) callback(error, null);
  }
}
