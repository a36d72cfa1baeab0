#!/usr/bin/env node
// `npm run bench`: runs each target in turn (A B C … A B C …) for several rounds, prints one table
// of medians and ratios to direct, checks the issue's targets, and writes the figures as JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COUNTS, measureTarget } from './measure.mjs';
import { checkGoals, formatChecks, formatTable, summarize } from './report.mjs';
import { DEFAULT_GUARD_BIN, DEFAULT_TARGETS, ROOT_DIR, TARGETS } from './targets.mjs';

const USAGE = `usage: node bench/run.mjs [options]     (npm run bench builds first, then runs this)

  --rounds <n>         rounds of all targets, alternated (default 8; 1 with --quick)
  --targets <list>     comma-separated, run in this order (default ${DEFAULT_TARGETS.join(',')});
                       known: ${Object.keys(TARGETS).join(', ')}
  --quick              tiny counts: checks that everything runs, measures nothing useful
  --out <file>         write the JSON there (default bench/results/latest.json and a dated copy)
  --cpu-prof <dir>     run the relay/proxy/guard processes under node --cpu-prof, profiles in <dir>
                       (summarize one with: node bench/profile-summary.mjs <file>); slows them down
  --policy <file>      also run mcp-guard with this policy (target guard-policy; it must allow echo and blob)
  --guard <file>       the mcp-guard entry to benchmark (default bin/mcp-guard.js, which runs dist/)
  --timeout <ms>       longest wait for any one phase of a run (default 30000)
  -h, --help           this text`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      targets: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      guard: { type: 'string' },
      policy: { type: 'string' },
      timeout: { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const rounds = Number(values.rounds ?? (values.quick ? 1 : 8));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: "${values.rounds}" is not a positive integer`);
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`--timeout: "${values.timeout}" is not a positive integer of milliseconds`);
  const targets = values.targets ? values.targets.split(',').map((name) => name.trim()).filter(Boolean) : [...DEFAULT_TARGETS];
  if (values.policy && !targets.includes('guard-policy')) targets.push('guard-policy');
  if (targets.includes('guard-policy') && !values.policy) throw new Error('--targets: guard-policy needs --policy <file>');
  for (const name of targets) {
    if (!Object.hasOwn(TARGETS, name)) throw new Error(`--targets: unknown target "${name}"; known: ${Object.keys(TARGETS).join(', ')}`);
  }
  if (new Set(targets).size !== targets.length || targets.length === 0) throw new Error('--targets: name each target once');
  const guardBin = resolve(values.guard ?? DEFAULT_GUARD_BIN);
  const policyFile = values.policy && resolve(values.policy);
  if (policyFile && !existsSync(policyFile)) throw new Error(`--policy: ${values.policy} does not exist`);
  return { help: values.help, rounds, targets, quick: values.quick, out: values.out, cpuProfDir: values['cpu-prof'], guardBin, policyFile, timeoutMs };
}

function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() || 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((load) => Number(load.toFixed(2))),
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** A path relative to the working directory when it is inside it, else absolute. */
function displayPath(file) {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** One run of one target; a failure is recorded as `{ error }` so the other targets still run. */
async function runOnce(name, counts, options, profileName) {
  const nodeFlags = options.cpuProfDir && name !== 'direct' ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${profileName}.cpuprofile`] : [];
  const launch = TARGETS[name].launch({ nodeFlags, guardBin: options.guardBin, policyFile: options.policyFile });
  const started = Date.now();
  try {
    return { ...(await measureTarget(launch, counts, options.timeoutMs)), seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { ...error.figures, error: error.message, seconds: (Date.now() - started) / 1000 };
  } finally {
    launch.cleanup?.();
  }
}

async function main(argv) {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${error.message} (see node bench/run.mjs --help)\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const needsGuard = options.targets.some((name) => TARGETS[name].guard);
  if (needsGuard && options.guardBin === DEFAULT_GUARD_BIN && !existsSync(join(ROOT_DIR, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('bench: mcp-guard is not built (no dist/cli/main.js); run `npm run build` first, or `npm run bench`\n');
    return 1;
  }
  if (needsGuard && !existsSync(options.guardBin)) {
    process.stderr.write(`bench: --guard: ${options.guardBin} does not exist\n`);
    return 2;
  }
  if (options.cpuProfDir) {
    options.cpuProfDir = resolve(options.cpuProfDir);
    mkdirSync(options.cpuProfDir, { recursive: true });
  }
  const counts = options.quick ? COUNTS.quick : COUNTS.full;
  const machine = describeMachine();
  const startedAt = new Date();
  const progress = (text) => process.stderr.write(`bench: ${text}\n`);

  // One unrecorded run of each target first, so the first round does not pay for a cold disk cache.
  for (const name of options.targets) await runOnce(name, COUNTS.quick, { ...options, cpuProfDir: undefined });

  const runs = Object.fromEntries(options.targets.map((name) => [name, []]));
  // A target that failed once is not run again: a hung phase costs a whole --timeout per round.
  const failedIn = new Map();
  for (let round = 1; round <= options.rounds; round++) {
    for (const name of options.targets) {
      if (failedIn.has(name)) continue;
      const result = await runOnce(name, counts, options, `${name}-round${round}`);
      runs[name].push({ round, ...result });
      if (result.error) failedIn.set(name, round);
      progress(`round ${round}/${options.rounds}  ${name}  ${result.error ? `FAILED: ${result.error.split('\n')[0]}` : 'ok'}  (${result.seconds.toFixed(1)} s)`);
    }
  }
  const finishedAt = new Date();
  const summary = summarize(runs);
  const checks = checkGoals(summary);
  const labels = Object.fromEntries(options.targets.map((name) => [name, name === 'guard-policy' ? `mcp-guard ${basename(options.policyFile).replace(/(\.policy)?\.(json|ya?ml)$/, '')}` : TARGETS[name].label]));
  const failures = Object.entries(runs).flatMap(([name, list]) => list.filter((run) => run.error).map((run) => ({ target: name, round: run.round, error: run.error })));
  const seconds = (finishedAt - startedAt) / 1000;

  const lines = [
    `mcp-guard benchmark: ${options.rounds} round${options.rounds === 1 ? '' : 's'} of ${options.targets.length} targets run alternately; medians, ratios to direct${options.quick ? ' (--quick: tiny counts, figures mean nothing)' : ''}`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverageAtStart.join(' ')} at start`,
    `per run: ${counts.latencyCalls} sequential echo calls, ${counts.pipelinedCalls} pipelined (${counts.inFlight} in flight), ${counts.largeCalls} results of ${counts.largeBytes / 2 ** 20} MiB`,
    '',
    formatTable(summary, options.targets, labels),
  ];
  if (checks.length > 0) lines.push('', "the issue's targets for mcp-guard (medians, ratios to direct unless noted):", formatChecks(checks));
  if (failures.length > 0) {
    lines.push('', `${failures.length} run${failures.length === 1 ? '' : 's'} failed:`);
    for (const failure of failures) {
      const skipped = failure.round < options.rounds ? ` (not run in later rounds)` : '';
      lines.push(`  ${failure.target} round ${failure.round}${skipped}: ${failure.error}`);
    }
  }

  const report = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds,
    commit: gitCommit(),
    machine,
    options: {
      rounds: options.rounds,
      targets: options.targets,
      quick: options.quick,
      counts,
      cpuProfile: Boolean(options.cpuProfDir),
      guard: displayPath(options.guardBin),
      policy: options.policyFile ? displayPath(options.policyFile) : undefined,
    },
    summary,
    checks,
    runs,
  };
  const outFiles = options.out
    ? [resolve(options.out)]
    : [join(ROOT_DIR, 'bench', 'results', 'latest.json'), join(ROOT_DIR, 'bench', 'results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)];
  for (const file of outFiles) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  }
  lines.push('', `finished in ${seconds.toFixed(0)} s; JSON written to ${outFiles.map(displayPath).join(' and ')}`);
  if (options.cpuProfDir) lines.push(`CPU profiles in ${options.cpuProfDir} (timings above are inflated by profiling); summarize with node bench/profile-summary.mjs <file>`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
