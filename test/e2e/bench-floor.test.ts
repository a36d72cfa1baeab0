// bench/floor.mjs measures copies of the build with part of mcp-guard's work taken out. Its figures
// mean something only if each copy lacks exactly that part: these tests send each copy what only
// that part refuses, through a real session with the fixture server, and check the as-built guard
// refuses it. No timing is asserted.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- the benchmark is plain JavaScript, without declarations
import { makeVariant, VARIANTS } from '../../bench/floor.mjs';
// @ts-expect-error -- the benchmark is plain JavaScript, without declarations
import { RpcClient } from '../../bench/rpc-client.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const POLICY = join(ROOT, 'bench', 'policies', 'allow-all.policy.json');
const FIXTURE = join(ROOT, 'bench', 'fixture-server.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'mcp-guard-floor-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Variant = { id: string; patches: Array<[string, string]> };
const variants = new Map<string, string>();
function binOf(id: string): string {
  let bin = variants.get(id);
  if (!bin) {
    const variant = (VARIANTS as Variant[]).find((v) => v.id === id)!;
    bin = makeVariant(join(tmp, id), variant.patches) as string;
    variants.set(id, bin);
  }
  return bin;
}

interface Outcome {
  answered: boolean;
  text: string;
}

/** One tools/call with `paramsJson` written as is, through the copy `id`; what came back. */
async function callThrough(id: string, paramsJson: string): Promise<Outcome> {
  const stateDir = mkdtempSync(join(tmp, 'state-'));
  const client = new RpcClient(process.execPath, [binOf(id), '--policy', POLICY, '--state-dir', stateDir, '--', process.execPath, FIXTURE]);
  try {
    await client.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'floor-test', version: '1' } });
    client.notify('notifications/initialized');
    return await new Promise<Outcome>((resolve) => {
      client.sendMany('tools/call', paramsJson, 1, (error: Error | null, message: { result?: { content?: Array<{ text?: string }> } } | null) => {
        resolve(error ? { answered: false, text: error.message } : { answered: true, text: message?.result?.content?.[0]?.text ?? '' });
      });
    });
  } finally {
    await client.close();
  }
}

const NAMES_THE_POLICY = JSON.stringify({ name: 'echo', arguments: { text: `cat ${POLICY}` } });
const REPEATED_KEY = '{"name":"echo","arguments":{"text":"first","text":"second"}}';

describe('bench/floor.mjs copies of the build', () => {
  it('as built, mcp-guard refuses a call naming its policy file and one with a repeated key', async () => {
    const protectedCall = await callThrough('guard', NAMES_THE_POLICY);
    expect(protectedCall.answered).toBe(false);
    expect(protectedCall.text).toContain('the policy file of mcp-guard');
    const repeated = await callThrough('guard', REPEATED_KEY);
    expect(repeated.answered).toBe(false);
    expect(repeated.text).toContain('more than once');
  }, 60_000);

  it('without self-protection, the call naming the policy file reaches the server; the repeated key is still refused', async () => {
    expect(await callThrough('no-self-protection', NAMES_THE_POLICY)).toEqual({ answered: true, text: `cat ${POLICY}` });
    expect((await callThrough('no-self-protection', REPEATED_KEY)).answered).toBe(false);
  }, 60_000);

  it('without the ambiguity check, the repeated key reaches the server; the policy file is still protected', async () => {
    expect(await callThrough('no-ambiguity-scan', REPEATED_KEY)).toEqual({ answered: true, text: 'second' });
    expect((await callThrough('no-ambiguity-scan', NAMES_THE_POLICY)).answered).toBe(false);
  }, 60_000);

  it('judging nothing, both reach the server', async () => {
    expect((await callThrough('nothing-judged', NAMES_THE_POLICY)).answered).toBe(true);
    expect((await callThrough('nothing-judged', REPEATED_KEY)).answered).toBe(true);
  }, 60_000);

  it('runs with --quick and prints a row for each target; a bad option exits 2 with one line', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(ROOT, 'bench', 'floor.mjs'), ...args], { cwd: ROOT, timeout: 90_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
    const quick = await run(['--quick']);
    expect(quick.code, quick.stderr).toBe(0);
    for (const label of ['raw relay', 'parse relay', 'mcp-guard allow-all, as built', 'without self-protection', 'without the ambiguity check', 'judging nothing']) {
      expect(quick.stdout).toMatch(new RegExp(`^\\S*.*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* [\\d,]+ +\\d+\\.\\d\\d×`, 'm'));
    }
    const bad = await run(['--rounds', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--rounds');
  }, 90_000);
});
