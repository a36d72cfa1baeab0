import { execa } from 'execa';
import { stripControl } from '../terminal/strip-control.js';
import { GuardError } from '../errors.js';

export interface ToolCommand {
  file: string;
  args: string[];
  /** What the command does, for messages: "python -m venv", "pip install". */
  label: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with every line the command prints, on stdout or stderr, as it prints it. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/** Thrown by runTool when the command was cancelled through its AbortSignal. */
export class ToolCancelledError extends GuardError {
  constructor(label: string) {
    super('VENV_INTERRUPTED', `${label} was interrupted`, { exitCode: 130 });
    this.name = 'ToolCancelledError';
  }
}

/** The line of a failed tool's output that says why: its last `ERROR:`/`error:` line, else its last line. */
export function summariseFailure(stderr: string, stdout: string): string {
  const linesOf = (text: string) => stripControl(text.replace(/\r/g, '')).split('\n').map((line) => line.trim()).filter(Boolean).reverse();
  for (const text of [stderr, stdout]) {
    // pip says `ERROR: ...`, uv says `error: ...` or `  × ...`, Python tracebacks end in `SomethingError: ...`.
    const errorLine = linesOf(text).find((line) => /^(?:error|fatal)\b[:\s]/i.test(line) || line.startsWith('×') || /^\w+(?:Error|Exception): /.test(line));
    if (errorLine) return errorLine;
  }
  return linesOf(stderr)[0] ?? linesOf(stdout)[0] ?? 'no output';
}

/**
 * Why the package index could not be reached, from an installer's output: pip retries a failed
 * connection with a WARNING and then blames the package ("No matching distribution found"), uv
 * says "Failed to fetch" with the cause below it. Offline, the network is the problem to report.
 */
export function networkProblem(output: string): string | undefined {
  const text = stripControl(output.replace(/\r/g, ''));
  const proxy = /Cannot connect to proxy|ProxyError/.test(text);
  const causes = [
    /Failed to establish a new connection: [^'")\n]+/,
    /\[Errno -?\d+\] (?:Network is unreachable|Temporary failure in name resolution|Name or service not known|No address associated with hostname|nodename nor servname provided[^'")\n]*)/,
    /getaddrinfo failed/,
    /(?:Connect|Read) timed out/,
    /CERTIFICATE_VERIFY_FAILED/,
    /(?:dns error|tcp connect error)[^\n]*/,
    /Network is unreachable/,
  ];
  const cause = causes.map((pattern) => pattern.exec(text)?.[0].trim()).find((found) => found !== undefined);
  if (proxy) return `cannot connect to the proxy${cause ? `: ${cause}` : ''}`;
  return cause;
}

/**
 * Runs one child process (python, pip, uv) through execa with its output captured and streamed
 * line by line to `onLine`. A failure becomes a GuardError whose message names the command, its
 * exit status and the line of its stderr that says why; the full output rides along in `data`.
 */
export async function runTool(command: ToolCommand): Promise<ToolOutput> {
  const forward = function* (line: unknown) {
    if (typeof line === 'string') command.onLine?.(line);
    yield line;
  };
  try {
    const result = await execa(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      extendEnv: false,
      stdin: 'ignore',
      stdout: forward,
      stderr: forward,
      cancelSignal: command.signal,
      forceKillAfterDelay: 3000,
      timeout: command.timeoutMs,
      windowsHide: true,
    });
    return { stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    const failure = error as {
      isCanceled?: boolean;
      timedOut?: boolean;
      code?: string;
      exitCode?: number;
      signal?: string;
      stdout?: unknown;
      stderr?: unknown;
    };
    if (failure.isCanceled) throw new ToolCancelledError(command.label);
    const data = {
      command: [command.file, ...command.args],
      exitCode: failure.exitCode,
      signal: failure.signal,
      stdout: typeof failure.stdout === 'string' ? failure.stdout : '',
      stderr: typeof failure.stderr === 'string' ? failure.stderr : '',
    };
    if (failure.code === 'ENOENT') {
      throw new GuardError('VENV_TOOL_NOT_FOUND', `${command.label} failed: ${command.file} not found`, { data, cause: error });
    }
    if (failure.code === 'EACCES') {
      throw new GuardError('VENV_TOOL_NOT_FOUND', `${command.label} failed: ${command.file} is not executable`, { data, cause: error });
    }
    const status = failure.timedOut
      ? `timed out after ${Math.round((command.timeoutMs ?? 0) / 1000)} s`
      : failure.signal
        ? `killed by ${failure.signal}`
        : `exit ${failure.exitCode ?? '?'}`;
    const summary = summariseFailure(data.stderr, data.stdout);
    const network = networkProblem(`${data.stderr}\n${data.stdout}`);
    if (network) {
      throw new GuardError('VENV_INDEX_UNREACHABLE', `${command.label} failed (${status}): the package index could not be reached (${network}), so "${summary}" may be a network problem, not a wrong package name; check the network or proxy, or install from local files with --no-index --find-links <dir>`, {
        data,
        cause: error,
      });
    }
    throw new GuardError('VENV_TOOL_FAILED', `${command.label} failed (${status}): ${summary}`, {
      data,
      cause: error,
    });
  }
}
