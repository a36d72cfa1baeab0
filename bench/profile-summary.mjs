#!/usr/bin/env node
// Where the time goes in a V8 CPU profile (`node --cpu-prof`, or `bench/run.mjs --cpu-prof <dir>`):
// busy time by origin, then the functions with the most self time and the most total time.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code comes from: V8's pseudo-frames, Node's own code, a package, or the project. */
function origin({ functionName, url }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  const project = /\/(dist|bench|bin|src)\/(.+)$/.exec(url);
  return project ? `${project[1]}/` : url;
}

function frameKey({ functionName, url, lineNumber }) {
  const where = url ? `${url.replace(/^file:\/\/.*?\/(dist|bench|bin|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? `  ${where}` : ''}`;
}

const self = new Map();
const total = new Map();
const byOrigin = new Map();
let busy = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const node = nodes.get(id);
  if (node.callFrame.functionName === '(idle)') {
    idle += delta;
    return;
  }
  busy += delta;
  const key = frameKey(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + delta);
  const from = origin(node.callFrame);
  byOrigin.set(from, (byOrigin.get(from) ?? 0) + delta);
  // Total time: each function once per sample, however often it recurs on the stack.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frameKeyAt = frameKey(nodes.get(at).callFrame);
    if (seen.has(frameKeyAt) || frameKeyAt.startsWith('(root)')) continue;
    seen.add(frameKeyAt);
    total.set(frameKeyAt, (total.get(frameKeyAt) ?? 0) + delta);
  }
});

const ms = (us) => `${(us / 1000).toFixed(1)} ms`.padStart(10);
const pct = (us) => `${((100 * us) / busy).toFixed(1)}%`.padStart(6);
const table = (title, map, count) => {
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [title, ...rows.map(([key, us]) => `${ms(us)} ${pct(us)}  ${key}`)].join('\n');
};

process.stdout.write(
  [
    `${positionals[0]}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s profiled, ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle (percentages are of busy time)`,
    '',
    table('busy time by origin:', byOrigin, 20),
    '',
    table(`top ${top} functions by self time:`, self, top),
    '',
    table(`top ${top} functions by total time (self + callees):`, total, top),
    '',
  ].join('\n'),
);
