import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerSource } from '../clients/config-document.js';
import type { FoundConfig } from '../clients/config-files.js';
import { CLIENT_NAMES, type ClientEnvironment } from '../clients/registry.js';
import { serverStatus } from '../clients/server-status.js';
import { GuardError } from '../errors.js';
import { commandLine, serverLabel } from './clients-output.js';
import { type CliContext, diagnostic } from './context.js';

/** A policy chosen for one server of one file, keyed by `policyKey`. */
export type ChosenPolicies = Map<string, string>;

export function policyKey(config: FoundConfig, server: ServerSource): string {
  return JSON.stringify([config.location.file, server.path]);
}

/** Both ends on a terminal: only then may wrap ask anything (SPEC §11: no questions off a terminal). */
export function isInteractive(ctx: CliContext): boolean {
  return process.stdin.isTTY === true && (ctx.stderr as { isTTY?: boolean }).isTTY === true;
}

/**
 * `wrap` without `--policy`, on a terminal: for each chosen stdio server that is not guarded yet,
 * offers to write a starting policy with init's code (start the server, list its tools), or to
 * use a policy file that already exists. Servers the person says no to are left alone.
 */
export async function choosePoliciesWithInit(configs: readonly FoundConfig[], selected: (s: ServerSource) => boolean, environment: ClientEnvironment, ctx: CliContext): Promise<ChosenPolicies> {
  const chosen: ChosenPolicies = new Map();
  const rl = createInterface({ input: process.stdin, output: ctx.stderr, terminal: true });
  let closed = false;
  let interrupted = false;
  rl.on('close', () => (closed = true));
  rl.on('SIGINT', () => {
    interrupted = true;
    ctx.stderr.write('\n');
    rl.close();
  });
  const ask: Ask = (question) =>
    new Promise((resolve) => {
      if (closed) return resolve(undefined);
      const onClose = () => resolve(undefined);
      rl.once('close', onClose);
      rl.question(question, (answer) => {
        rl.off('close', onClose);
        resolve(answer);
      });
    });
  try {
    for (const config of configs) {
      for (const server of config.document!.servers.filter(selected)) {
        const status = serverStatus(server);
        if (status.transport !== 'stdio' || status.guard || status.problem !== undefined) continue;
        const policy = await choosePolicy(config, server, [status.command!, ...status.args!], environment, ask, ctx);
        if (interrupted) throw new GuardError('INTERRUPTED', 'interrupted; no client config was changed', { exitCode: 130 });
        if (policy !== undefined) chosen.set(policyKey(config, server), policy);
      }
    }
  } finally {
    rl.close();
  }
  return chosen;
}

type Ask = (question: string) => Promise<string | undefined>;
const yes = (answer: string | undefined) => /^\s*y(?:es)?\s*$/i.test(answer ?? '');

async function choosePolicy(config: FoundConfig, server: ServerSource, command: string[], environment: ClientEnvironment, ask: Ask, ctx: CliContext): Promise<string | undefined> {
  diagnostic(ctx, `${CLIENT_NAMES[config.location.client]} ${serverLabel(server)}: ${commandLine(command)}`);
  const suggested = path.join(policyFolder(environment), `${server.name.replace(/[^\w.-]+/g, '-')}.policy.json`);
  const answer = await ask(`Policy file for ${serverLabel(server)} (Enter for ${suggested}, "-" to skip this server): `);
  if (answer === undefined || answer.trim() === '-') return undefined;
  const file = path.resolve(environment.cwd, answer.trim() === '' ? suggested : answer.trim());
  if (existsSync(file)) {
    if (!yes(await ask(`${file} exists. Guard ${serverLabel(server)} with it as it is? [y/N] `))) return undefined;
    await (await import('../policy/load.js')).loadPolicy(file);
    return file;
  }
  if (!yes(await ask(`Write a starting policy there with init? It starts the server to list its tools. [y/N] `))) return undefined;
  const [{ generateStartingPolicy }, { formatForFile, writeNewFile }] = await Promise.all([import('../init/generate-policy.js'), import('../init/output-file.js')]);
  const value = server.value;
  const env = Object.fromEntries(Object.entries(typeof value.env === 'object' && value.env !== null ? value.env : {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  try {
    const cwd = typeof value.cwd === 'string' ? path.resolve(environment.cwd, value.cwd) : environment.cwd;
    const { text, summary, tools } = await generateStartingPolicy(command, { format: formatForFile(file), rateLimit: '30/minute', timeoutMs: 30_000, cwd, env });
    await mkdir(path.dirname(file), { recursive: true });
    await writeNewFile(file, text, false);
    diagnostic(ctx, `wrote ${file}: ${summary}; review it before you rely on it`);
    // The wrapped server runs with --policy <file>: that is its grant, in the default state store.
    const { pinInitTools } = await import('../init/pin-tools.js');
    await pinInitTools((message) => diagnostic(ctx, message), command, tools, { grant: path.resolve(file) });
    return file;
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    diagnostic(ctx, `${serverLabel(server)} not guarded: ${error.message}`);
    return undefined;
  }
}

/** Where wrap suggests keeping policies: `~/.config/mcp-guard` (XDG_CONFIG_HOME), `%APPDATA%\mcp-guard` on Windows. */
function policyFolder({ platform, env, home }: ClientEnvironment): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (platform === 'win32') return p.join(env.APPDATA ?? p.join(home, 'AppData', 'Roaming'), 'mcp-guard');
  return p.join(env.XDG_CONFIG_HOME || p.join(home, '.config'), 'mcp-guard');
}
