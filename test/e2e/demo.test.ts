import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/guard.js';

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  // The test runner may force colour for itself; the demo must decide from NO_COLOR like a terminal user's shell.
  if (!('FORCE_COLOR' in env)) delete full.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'examples/demo.mjs')], { cwd: ROOT, env: full, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

describe('npm run demo', () => {
  it('is the build followed by examples/demo.mjs', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.demo).toBe('npm run build && node examples/demo.mjs');
  });

  it('shows each kind of decision against server-everything, in seconds', async () => {
    const { code, stdout, stderr, ms } = await runDemo({ NO_COLOR: '1' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(ms).toBeLessThan(15_000);
    // NO_COLOR: plain text, no escape sequences.
    expect(stdout).not.toMatch(/\u001b\[/);

    // A hidden tool is missing from the list the agent sees.
    const [, offered, seen] = /the server offers (\d+) tools; through mcp-guard the agent sees (\d+): (.*)/.exec(stdout) ?? [];
    expect(Number(seen)).toBeLessThan(Number(offered));
    const visible = /the agent sees \d+: (.*)/.exec(stdout)![1]!.split(', ');
    expect(visible).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-tiny-image']));
    expect(visible).not.toContain('get-env');
    expect(stdout).toMatch(/hidden +get-env +rule hide\n/);
    expect(stdout).toMatch(/hidden +simulate-research-query +rule default/);

    // Allowed, with the rule that let it through and the server's real answer.
    expect(stdout).toMatch(/tools\/call echo \{"message":"hello through mcp-guard"\}\n +✓ allowed +rule tools\.echo\n +the server answered: "Echo: hello through mcp-guard"/);
    // An argument schema refusing a call.
    expect(stdout).toMatch(/tools\/call get-sum \{"a":"two","b":3\}\n +✗ refused +invalid_arguments +rule tools\.get-sum\.args\n +the agent reads: "mcp-guard: arguments\.a/);
    // Denied with the policy's reason; hidden and unlisted tools refused when called anyway.
    expect(stdout).toMatch(/✗ refused +denied +rule tools\.toggle-simulated-logging\n +the agent reads: "mcp-guard: turning on simulated logging/);
    expect(stdout).toMatch(/tools\/call get-env \{\}\n +✗ refused +denied +rule hide/);
    expect(stdout).toMatch(/tools\/call gzip-file-as-resource \{\}\n +✗ refused +denied +rule default/);
    // A rate limit tripping on the fourth call, with when to retry.
    const images = stdout.split('tools/call get-tiny-image').slice(1);
    expect(images).toHaveLength(4);
    expect(images.slice(0, 3).every((s) => /^ \{\}\n +✓ allowed +rule tools\.get-tiny-image\n/.test(s))).toBe(true);
    expect(images[3]).toMatch(/✗ refused +rate_limited +rule tools\.get-tiny-image\.rate_limit +retry after \d+ s/);
    // Approval by elicitation: declined, then accepted.
    expect(stdout).toMatch(/mcp-guard asks the user: .*toggle-subscriber-updates.*\n +the user says no\n +✗ refused +approval_declined +rule tools\.toggle-subscriber-updates/);
    expect(stdout).toMatch(/the user says yes\n +✓ allowed +rule tools\.toggle-subscriber-updates/);
    // Non-tool refusals are JSON-RPC errors.
    expect(stdout).toMatch(/resources\/read demo:\/\/resource\/static\/document\/features\.md\n +✓ allowed +rule resources\.demo:\/\/resource\/static\/\*\*/);
    expect(stdout).toMatch(/✗ refused +denied +rule resources\.demo:\/\/resource\/dynamic\/\*\*\n +the agent gets JSON-RPC error -31403/);
    // The audit log recorded every decision.
    expect(Number(/audit log\n +(\d+) decisions/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(14);
    expect(stdout).toMatch(/"decision":"rate_limited","rule":"tools\.get-tiny-image\.rate_limit"/);
    expect(stdout).toMatch(/done in [\d.]+ s: 7 allowed, 1 invalid_arguments, 4 denied, 1 rate_limited, 1 approval_declined/);
  });

  it('is coloured when colour is asked for', async () => {
    const { code, stdout } = await runDemo({ FORCE_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/\u001b\[3\dm✗ refused/);
  });
});
