#!/usr/bin/env node
// How fast a proxy that reads every message can be, and what each part of mcp-guard's work costs
// in the benchmark's own measures. Runs, alternately and with the same driver and fixture as
// `npm run bench`: the raw relay; bench/parse-relay.mjs, which parses every line and judges
// nothing; and mcp-guard with the allow-all policy as built and in copies of the build with part
// of its work taken out. The copies are made in a temporary directory and removed at the end;
// they exist only to be measured (a guard without self-protection is no guard).
//
// usage: node bench/floor.mjs [--rounds <n>] [--quick] [--json] [--out <file>] [--timeout <ms>]
// (npm run bench:floor builds first, then runs it)
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COUNTS, measureTarget } from './measure.mjs';
import { describeMachine, gitCommit } from './provenance.mjs';
import { median } from './report.mjs';
import { launchGuard, ROOT_DIR } from './targets.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const NODE = process.execPath;
const FIXTURE = join(BENCH_DIR, 'fixture-server.mjs');

/**
 * The copies of the build: each replaces text of the bundle (dist/bundle/) that must occur exactly
 * once, so a build that no longer has it fails here, saying which, instead of measuring the wrong thing.
 */
export const VARIANTS = [
  { id: 'guard', label: 'mcp-guard allow-all, as built', patches: [] },
  {
    id: 'no-self-protection',
    label: '… without self-protection (SPEC §9)',
    patches: [['function protectedLocations(own, env) {', 'function protectedLocations(own, env) { return [];']],
  },
  {
    id: 'no-ambiguity-scan',
    label: '… without the ambiguity check (SPEC §4)',
    patches: [['function findAmbiguityIn(text, value, allowCR = false) {', 'function findAmbiguityIn(text, value, allowCR = false) { return undefined;']],
  },
  {
    id: 'nothing-judged',
    label: '… judging nothing: lines parsed, then relayed',
    patches: [
      ['  onClientLine(line) {', '  onClientLine(line) { JSON.parse(line.toString("utf8")); this.server.line(line); return;'],
      ['  judgeUpstreamLine(line) {', '  judgeUpstreamLine(line) { JSON.parse(line.toString("utf8")); return { forward: true };'],
      // Long answers are otherwise judged as they stream, against requests this copy never recorded.
      ['var STREAM_THRESHOLD = 256 * 1024;', 'var STREAM_THRESHOLD = Infinity;'],
    ],
  },
];

const REFERENCES = [
  { id: 'relay', label: 'raw relay', launch: () => ({ command: NODE, args: [join(BENCH_DIR, 'raw-relay.mjs'), NODE, FIXTURE] }) },
  { id: 'parse-relay', label: 'parse relay (every line parsed, nothing judged)', launch: () => ({ command: NODE, args: [join(BENCH_DIR, 'parse-relay.mjs'), NODE, FIXTURE] }) },
];

/** A copy of bin/, dist/ and schema/ with `patches` applied to the bundle; node_modules is linked. */
export function makeVariant(into, patches) {
  for (const dir of ['bin', 'dist', 'schema']) cpSync(join(ROOT_DIR, dir), join(into, dir), { recursive: true });
  cpSync(join(ROOT_DIR, 'package.json'), join(into, 'package.json'));
  symlinkSync(join(ROOT_DIR, 'node_modules'), join(into, 'node_modules'), 'dir');
  const bundle = join(into, 'dist', 'bundle');
  const texts = new Map(readdirSync(bundle).filter((name) => name.endsWith('.js')).map((name) => [name, readFileSync(join(bundle, name), 'utf8')]));
  for (const [find, replace] of patches) {
    const copies = [...texts].flatMap(([name, text]) => Array(text.split(find).length - 1).fill(name));
    if (copies.length !== 1) throw new Error(`the build has ${copies.length} copies of ${JSON.stringify(find)} where bench/floor.mjs expects one; update its VARIANTS`);
    const name = copies[0];
    texts.set(name, texts.get(name).replace(find, () => replace));
    writeFileSync(join(bundle, name), texts.get(name));
  }
  return join(into, 'bin', 'mcp-guard.js');
}

export async function measureFloor({ rounds = 5, quick = false, timeoutMs = 30_000, progress = () => {} } = {}) {
  const counts = quick ? COUNTS.quick : COUNTS.full;
  const work = mkdtempSync(join(tmpdir(), 'mcp-guard-floor-'));
  try {
    const targets = [
      ...REFERENCES,
      ...VARIANTS.map((variant) => {
        const bin = makeVariant(join(work, variant.id), variant.patches);
        return { id: variant.id, label: variant.label, launch: () => launchGuard('allow-all.policy.json', undefined, { guardBin: bin }) };
      }),
    ];
    const runs = Object.fromEntries(targets.map((target) => [target.id, []]));
    const once = async (target, runCounts) => {
      const launch = target.launch();
      try {
        return await measureTarget(launch, runCounts, timeoutMs);
      } finally {
        launch.cleanup?.();
      }
    };
    // One unrecorded run of each first, as `npm run bench` does.
    for (const target of targets) await once(target, COUNTS.quick);
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        runs[target.id].push(await once(target, counts));
        progress(`round ${round}/${rounds}  ${target.id}  ok`);
      }
    }
    const relay = { calls: median(runs.relay.map((r) => r.callsPerSecond)), p50: median(runs.relay.map((r) => r.p50Us)) };
    const rows = targets.map((target) => {
      const list = runs[target.id];
      const calls = median(list.map((r) => r.callsPerSecond));
      const p50 = median(list.map((r) => r.p50Us));
      // Round by round, the target against the relay run just before it.
      const perRound = list.map((r, i) => r.callsPerSecond / runs.relay[i].callsPerSecond);
      return {
        id: target.id,
        label: target.label,
        callsPerSecond: calls,
        callsToRelay: calls / relay.calls,
        callsToRelayRounds: [Math.min(...perRound), Math.max(...perRound)],
        p50Us: p50,
        p50OverRelayUs: p50 - relay.p50,
      };
    });
    return { rounds, counts, rows, runs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatFloor({ rounds, counts, rows }) {
  const header = ['target', 'pipelined calls/s', 'to raw relay', '(rounds)', 'p50 (µs)', 'over raw relay'];
  const cells = rows.map((row) => [
    row.label,
    Math.round(row.callsPerSecond).toLocaleString('en-US'),
    `${row.callsToRelay.toFixed(2)}×`,
    row.id === 'relay' ? '' : `${row.callsToRelayRounds[0].toFixed(2)}–${row.callsToRelayRounds[1].toFixed(2)}×`,
    row.p50Us.toFixed(0),
    row.id === 'relay' ? '' : `${row.p50OverRelayUs >= 0 ? '+' : '−'}${Math.abs(row.p50OverRelayUs).toFixed(0)}`,
  ]);
  const widths = header.map((_, col) => Math.max(...[header, ...cells].map((row) => [...row[col]].length)));
  const line = (row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd();
  return [
    `floor: ${rounds} round${rounds === 1 ? '' : 's'} run alternately, medians; per run ${counts.latencyCalls} sequential echo calls and ${counts.pipelinedCalls} pipelined (${counts.inFlight} in flight), as in npm run bench`,
    'targets of issue 19 for allow-all: pipelined ≥ 0.85× the raw relay, p50 ≤ the raw relay + 40 µs',
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('   '),
    ...cells.map(line),
  ].join('\n');
}

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rounds: { type: 'string', default: '5' },
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        timeout: { type: 'string', default: '30000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench: ${error.message} (see node bench/floor.mjs --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write('usage: node bench/floor.mjs [--rounds <n>] [--quick] [--json] [--out <file>] [--timeout <ms>]\n');
    return 0;
  }
  for (const name of ['rounds', 'timeout']) {
    if (!/^[1-9]\d*$/.test(values[name])) {
      process.stderr.write(`bench: --${name}: "${values[name]}" is not a positive integer\n`);
      return 2;
    }
  }
  if (!existsSync(join(ROOT_DIR, 'dist', 'bundle', 'main.js'))) {
    process.stderr.write('bench: mcp-guard is not built (no dist/bundle/main.js); run `npm run build` first, or `npm run bench:floor`\n');
    return 1;
  }
  const machine = describeMachine();
  try {
    const result = await measureFloor({
      rounds: values.quick ? 1 : Number(values.rounds),
      quick: values.quick,
      timeoutMs: Number(values.timeout),
      progress: (text) => process.stderr.write(`bench: floor  ${text}\n`),
    });
    if (values.out) writeFileSync(resolve(values.out), `${JSON.stringify({ commit: gitCommit(), machine, ...result }, null, 2)}\n`);
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatFloor(result)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: floor: ${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
