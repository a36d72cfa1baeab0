import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './guard.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a process, as a CI job runs it: no colour unless asked, no policy from the environment. */
export function cli(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MCP_GUARD_POLICY: '', ...o.env };
  // The test runner may force colour for itself; the CLI must see a plain environment.
  if (!o.env || !('FORCE_COLOR' in o.env)) delete env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: o.cwd ?? ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A fresh directory with these files (objects are written as JSON). */
export function files(contents: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-files-'));
  for (const [name, value] of Object.entries(contents)) writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return dir;
}
