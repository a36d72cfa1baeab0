#!/usr/bin/env node
// `npm run bench`: runs each target in turn (A B C … A B C …) for several rounds, prints one table
// of medians and ratios, checks the targets of issues 19 and 18, then runs the linear-time matching
// section (bench/matching.mjs) and the large-messages section (bench/large.mjs), and writes the
// figures as JSON.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatLarge, measureLarge } from './large.mjs';
import { formatMatching, measureMatching } from './matching.mjs';
import { COUNTS, measureTarget } from './measure.mjs';
import { findRedisServer, REDIS_MISSING, startRedis } from './redis-server.mjs';
import { describeMachine, gitCommit } from './provenance.mjs';
import { checkGoals, formatChecks, formatTable, summarize } from './report.mjs';
import { DEFAULT_GUARD_BIN, DEFAULT_TARGETS, ROOT_DIR, TARGETS } from './targets.mjs';

/** Parts of the run that are not a column of the table: each runs once, after the rounds, in this order. */
const SECTION_RUNS = { matching: measureMatching, large: measureLarge };
const SECTIONS = Object.keys(SECTION_RUNS);
const KNOWN = [...Object.keys(TARGETS), ...SECTIONS];

const USAGE = `usage: node bench/run.mjs [options]     (npm run bench builds first, then runs this)

  --rounds <n>         rounds of all targets, alternated (default 8; 1 with --quick)
  --targets <list>     comma-separated, run in this order (default ${[...DEFAULT_TARGETS, ...SECTIONS].join(',')});
                       known: ${KNOWN.join(', ')}
                       (matching: the linear-time matching section, large: the large-messages
                       section, both after the rounds; the Redis target starts its own
                       redis-server and is skipped when none is installed)
  --quick              tiny counts: checks that everything runs, measures nothing useful
  --pipelined <n>      pipelined calls per run (default 15000; 200 with --quick): a longer run
                       shows where throughput settles once the processes have their places
  --out <file>         write the JSON there (default bench/results/latest.json and a dated copy)
  --cpu-prof <dir>     run the relay/proxy/guard processes under node --cpu-prof, profiles in <dir>
                       (summarize one with: node bench/profile-summary.mjs <file>); slows them down
  --policy <file>      also run mcp-guard with this policy (target guard-policy; it must allow echo and blob)
  --guard <file>       the mcp-guard entry to benchmark (default bin/mcp-guard.js, which runs dist/)
  --timeout <ms>       longest wait for any one phase of a run (default 30000)
  -h, --help           this text`;

/** An option's value as a positive integer, or the one-line error that names it. */
function positiveInteger(option, text, unit = '') {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${option}: "${text}" is not a positive integer${unit}`);
  return value;
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      targets: { type: 'string' },
      quick: { type: 'boolean', default: false },
      pipelined: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      guard: { type: 'string' },
      policy: { type: 'string' },
      timeout: { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 8) : positiveInteger('--rounds', values.rounds);
  const pipelined = values.pipelined === undefined ? undefined : positiveInteger('--pipelined', values.pipelined);
  const timeoutMs = positiveInteger('--timeout', values.timeout, ' of milliseconds');
  const names = values.targets ? values.targets.split(',').map((name) => name.trim()).filter(Boolean) : [...DEFAULT_TARGETS, ...SECTIONS];
  for (const name of names) {
    if (!KNOWN.includes(name)) throw new Error(`--targets: unknown target "${name}"; known: ${KNOWN.join(', ')}`);
  }
  if (new Set(names).size !== names.length || names.length === 0) throw new Error('--targets: name each target once');
  const targets = names.filter((name) => Object.hasOwn(TARGETS, name));
  const sections = names.filter((name) => SECTIONS.includes(name));
  if (values.policy && !targets.includes('guard-policy')) targets.push('guard-policy');
  if (targets.includes('guard-policy') && !values.policy) throw new Error('--targets: guard-policy needs --policy <file>');
  const guardBin = resolve(values.guard ?? DEFAULT_GUARD_BIN);
  const policyFile = values.policy && resolve(values.policy);
  if (policyFile && !existsSync(policyFile)) throw new Error(`--policy: ${values.policy} does not exist`);
  return { help: values.help, rounds, targets, sections, quick: values.quick, pipelined, out: values.out, cpuProfDir: values['cpu-prof'], guardBin, policyFile, timeoutMs };
}

/** A path relative to the working directory when it is inside it, else absolute. */
function displayPath(file) {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** One run of one target; a failure is recorded as `{ error }` so the other targets still run. */
async function runOnce(name, counts, options, profileName) {
  const nodeFlags = options.cpuProfDir && name !== 'direct' ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${profileName}.cpuprofile`] : [];
  const started = Date.now();
  let launch;
  try {
    launch = await TARGETS[name].launch({ nodeFlags, guardBin: options.guardBin, policyFile: options.policyFile, redis: options.redis });
    return { ...(await measureTarget(launch, counts, options.timeoutMs)), seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { ...error.figures, error: error.message, seconds: (Date.now() - started) / 1000 };
  } finally {
    launch?.cleanup?.();
  }
}

/**
 * Starts the redis-server the Redis targets need. Without one installed they are skipped (a line
 * says so; that is not a failure); one that is installed but does not start fails them.
 */
async function prepareRedis(options, progress) {
  const wanting = options.targets.filter((name) => TARGETS[name].redis);
  if (wanting.length === 0) return { skipped: [], failures: [] };
  const binary = findRedisServer();
  if (!binary) {
    options.targets = options.targets.filter((name) => !TARGETS[name].redis);
    for (const name of wanting) progress(`${name} skipped: ${REDIS_MISSING}`);
    return { skipped: wanting.map((target) => ({ target, reason: REDIS_MISSING })), failures: [] };
  }
  try {
    options.redis = await startRedis(binary);
    progress(`redis-server on ${options.redis.url} (no persistence), stopped at the end`);
    return { skipped: [], failures: [] };
  } catch (error) {
    options.targets = options.targets.filter((name) => !TARGETS[name].redis);
    return { skipped: [], failures: wanting.map((target) => ({ target, round: 0, error: `could not start redis-server: ${error.message}` })) };
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
  const needsGuard = options.targets.some((name) => TARGETS[name].guard) || options.sections.length > 0;
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
  const base = options.quick ? COUNTS.quick : COUNTS.full;
  const counts = options.pipelined === undefined ? base : { ...base, pipelinedCalls: options.pipelined };
  const machine = describeMachine();
  const startedAt = new Date();
  const progress = (text) => process.stderr.write(`bench: ${text}\n`);

  const redis = await prepareRedis(options, progress);
  const runs = Object.fromEntries(options.targets.map((name) => [name, []]));
  const results = {};
  const failures = [...redis.failures];
  try {
    // One unrecorded run of each target first, so the first round does not pay for a cold disk cache.
    for (const name of options.targets) await runOnce(name, COUNTS.quick, { ...options, cpuProfDir: undefined });

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
    for (const section of options.sections) {
      try {
        results[section] = await SECTION_RUNS[section]({ guardBin: options.guardBin, quick: options.quick, timeoutMs: options.timeoutMs, cpuProfDir: options.cpuProfDir, progress });
      } catch (error) {
        progress(`${section}  FAILED: ${error.message.split('\n')[0]}`);
        failures.push({ target: section, round: 1, error: error.message });
      }
    }
  } finally {
    await options.redis?.stop();
  }
  const finishedAt = new Date();
  const summary = summarize(runs);
  const checks = checkGoals(summary, runs);
  const labels = Object.fromEntries(options.targets.map((name) => [name, name === 'guard-policy' ? `mcp-guard ${basename(options.policyFile).replace(/(\.policy)?\.(json|ya?ml)$/, '')}` : TARGETS[name].label]));
  for (const [name, list] of Object.entries(runs)) {
    for (const run of list) if (run.error) failures.push({ target: name, round: run.round, error: run.error });
  }
  const seconds = (finishedAt - startedAt) / 1000;

  const lines = [];
  if (options.targets.length > 0) {
    lines.push(
      `mcp-guard benchmark: ${options.rounds} round${options.rounds === 1 ? '' : 's'} of ${options.targets.length} target${options.targets.length === 1 ? '' : 's'} run alternately; medians, ratios to direct${options.quick ? ' (--quick: tiny counts, figures mean nothing)' : ''}`,
      `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverageAtStart.join(' ')} at start`,
      `per run: ${counts.latencyCalls} sequential echo calls, ${counts.pipelinedCalls} pipelined (${counts.inFlight} in flight), ${counts.largeCalls} results of ${counts.largeBytes / 2 ** 20} MiB`,
      '',
      formatTable(summary, options.targets, labels),
    );
  } else {
    lines.push(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverageAtStart.join(' ')} at start`);
  }
  for (const skip of redis.skipped) lines.push('', `${skip.target} skipped: ${skip.reason}`);
  if (checks.length > 0) lines.push('', 'targets (issues 19 and 18), judged on the medians above against the same run:', formatChecks(checks));
  if (results.matching) lines.push('', formatMatching(results.matching));
  if (results.large) lines.push('', formatLarge(results.large));
  if (failures.length > 0) {
    lines.push('', `${failures.length} run${failures.length === 1 ? '' : 's'} failed:`);
    for (const failure of failures) {
      const section = SECTIONS.includes(failure.target);
      const skipped = failure.round >= 1 && failure.round < options.rounds && !section ? ` (not run in later rounds)` : '';
      const where = failure.round === 0 ? 'before round 1' : section ? '' : `round ${failure.round}`;
      lines.push(`  ${failure.target}${where ? ` ${where}` : ''}${skipped}: ${failure.error}`);
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
      sections: options.sections,
      quick: options.quick,
      counts,
      cpuProfile: Boolean(options.cpuProfDir),
      guard: displayPath(options.guardBin),
      policy: options.policyFile ? displayPath(options.policyFile) : undefined,
    },
    skipped: redis.skipped,
    summary,
    checks,
    matching: results.matching,
    large: results.large,
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
