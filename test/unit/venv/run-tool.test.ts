import { describe, expect, it } from 'vitest';
import { networkProblem, runTool, summariseFailure } from '../../../src/venv/run-tool.js';

const node = (script: string, extra: Partial<Parameters<typeof runTool>[0]> = {}) =>
  runTool({ file: process.execPath, args: ['-e', script], label: 'the tool', cwd: process.cwd(), env: process.env, ...extra });

describe('summariseFailure', () => {
  it.each([
    ['pip', 'Looking in links: /w\nERROR: Could not find a version that satisfies the requirement nope\nERROR: No matching distribution found for nope\n', '', 'ERROR: No matching distribution found for nope'],
    ['uv', '  × No solution found when resolving dependencies:\n  ╰─▶ Because nope was not found\n', '', '× No solution found when resolving dependencies:'],
    ['a traceback', 'Traceback (most recent call last):\n  File "x", line 1\nModuleNotFoundError: No module named venv\n', '', 'ModuleNotFoundError: No module named venv'],
    ['the last line', 'one\ntwo\n\n', '', 'two'],
    ['stdout when stderr is empty', '', 'Error: on stdout\n', 'Error: on stdout'],
    ['nothing', '', '', 'no output'],
    ['terminal escapes', '\u001b[31mERROR: red\u001b[0m\n', '', 'ERROR: red'],
  ])('picks the line that says why: %s', (_name, stderr, stdout, line) => {
    expect(summariseFailure(stderr, stdout)).toBe(line);
  });
});

describe('networkProblem', () => {
  const retry = (cause: string) => `WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by '${cause}': /simple/flask/\nERROR: No matching distribution found for flask\n`;
  it.each([
    ['pip, refused', retry("NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')"), 'Failed to establish a new connection: [Errno 111] Connection refused'],
    ['pip, no network', retry("NewConnectionError('<HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 101] Network is unreachable')"), 'Failed to establish a new connection: [Errno 101] Network is unreachable'],
    ['pip, no DNS', retry("NewConnectionError('<HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')"), 'Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'],
    ['pip, proxy', retry("ProxyError('Cannot connect to proxy.', NewConnectionError('<HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))"), 'cannot connect to the proxy: Failed to establish a new connection: [Errno 111] Connection refused'],
    ['uv, no DNS', 'error: Failed to fetch: `https://pypi.org/simple/flask/`\n  Caused by: error sending request for url (https://pypi.org/simple/flask/)\n  Caused by: dns error: failed to lookup address information: Temporary failure in name resolution\n', 'dns error: failed to lookup address information: Temporary failure in name resolution'],
  ])('%s', (_name, output, expected) => {
    expect(networkProblem(output)).toBe(expected);
  });

  it('finds nothing in a plain "no such package"', () => {
    expect(networkProblem('ERROR: Could not find a version that satisfies the requirement nope (from versions: none)\nERROR: No matching distribution found for nope\n')).toBeUndefined();
  });
});

describe('runTool', () => {
  it('streams every line of stdout and stderr as it comes, and returns the output', async () => {
    const lines: string[] = [];
    const out = await node('console.log("a"); console.error("b"); console.log("c")', { onLine: (line) => lines.push(line) });
    expect(out).toEqual({ stdout: 'a\nc', stderr: 'b' });
    expect(lines.sort()).toEqual(['a', 'b', 'c']);
  });

  it('turns a failure into one line with the exit code and the reason, full output in data', async () => {
    await expect(node('console.log("working"); console.error("ERROR: it broke"); process.exit(4)')).rejects.toMatchObject({
      code: 'VENV_TOOL_FAILED',
      exitCode: 1,
      message: 'the tool failed (exit 4): ERROR: it broke',
      data: { exitCode: 4, stdout: 'working', stderr: 'ERROR: it broke' },
    });
  });

  it('names a command that does not exist', async () => {
    await expect(runTool({ file: '/no/such/tool', args: [], label: 'the tool', cwd: process.cwd(), env: process.env })).rejects.toMatchObject({
      code: 'VENV_TOOL_NOT_FOUND',
      message: 'the tool failed: /no/such/tool not found',
    });
  });

  it('stops the command when the signal aborts, as VENV_INTERRUPTED', async () => {
    const controller = new AbortController();
    const running = node('setInterval(() => {}, 1000); console.log("started")', { signal: controller.signal, onLine: () => controller.abort() });
    await expect(running).rejects.toMatchObject({ code: 'VENV_INTERRUPTED', exitCode: 130 });
  });

  it('reports a timeout', async () => {
    await expect(node('setInterval(() => {}, 1000)', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'VENV_TOOL_FAILED', message: expect.stringMatching(/^the tool failed \(timed out after 0 s\)/) });
  });
});
