// From per-round figures to medians, ratios, the targets and the printed table.

/** The rows of the table, in order. `ratioTo` is the target each value is compared with. */
export const MEASURES = [
  { key: 'startupMs', label: 'startup to initialize answer (ms)', format: (v) => v.toFixed(1), ratioTo: 'direct' },
  { key: 'p50Us', label: 'round trip p50 (µs)', format: (v) => v.toFixed(0), ratioTo: 'direct' },
  { key: 'p99Us', label: 'round trip p99 (µs)', format: (v) => v.toFixed(0), ratioTo: 'direct' },
  { key: 'addedP50Us', label: 'p50 added over direct (µs)', format: (v) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}` },
  { key: 'callsPerSecond', label: 'pipelined calls/s (64 in flight)', format: (v) => Math.round(v).toLocaleString('en-US'), ratioTo: 'direct' },
  { key: 'largeMiBPerSecond', label: '4 MiB results (MiB/s)', format: (v) => v.toFixed(0), ratioTo: 'direct' },
  { key: 'peakRssMiB', label: 'peak RSS (MiB; ratio to raw relay)', format: (v) => v.toFixed(1), ratioTo: 'relay' },
];

/** The targets for the guard, each checked for both policies where both were run. */
const GOALS = [
  { key: 'callsPerSecond', what: 'pipelined calls/s', min: { 'guard-allow': 0.6, 'guard-realistic': 0.55 } },
  { key: 'largeMiBPerSecond', what: '4 MiB results MiB/s', min: { 'guard-allow': 0.8, 'guard-realistic': 0.8 } },
  { key: 'addedP50Us', what: 'p50 added latency', maxAbsolute: 100 },
  { key: 'startupMs', what: 'startup to first answer', max: 2.5 },
  { key: 'peakRssMiB', what: 'peak RSS (to raw relay)', max: 1.3 },
];
const GUARD_TARGETS = { 'guard-allow': 'allow-all', 'guard-realistic': 'realistic policy' };

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Medians per target over the rounds, ratios to the reference target of each measure, and the
 * added p50 latency over direct (difference of medians). A run that failed part-way still counts
 * for the phases it completed (a guard that stalls under load still has a startup time).
 */
export function summarize(runsByTarget) {
  const summary = {};
  for (const [name, runs] of Object.entries(runsByTarget)) {
    const medians = {};
    for (const key of ['startupMs', 'p50Us', 'p99Us', 'callsPerSecond', 'largeMiBPerSecond']) medians[key] = median(runs.map((run) => run[key]));
    // The direct target's "process in the middle" is the server itself, so it has no RSS row.
    medians.peakRssMiB = name === 'direct' ? null : median(runs.map((run) => (run.peakRssKiB == null ? null : run.peakRssKiB / 1024)));
    // The spread shows how noisy the machine was; compare runs over time by medians, not by one round.
    const range = {};
    for (const key of ['startupMs', 'p50Us', 'p99Us', 'callsPerSecond', 'largeMiBPerSecond', 'peakRssKiB']) {
      const values = runs.map((run) => run[key]).filter((v) => typeof v === 'number');
      range[key] = values.length > 0 ? [Math.min(...values), Math.max(...values)] : null;
    }
    const failures = runs.filter((run) => run.error).length;
    summary[name] = { rounds: runs.length - failures, failures, median: medians, ratio: {}, range };
  }
  const directP50 = summary.direct?.median.p50Us;
  for (const entry of Object.values(summary)) {
    entry.median.addedP50Us = directP50 == null || entry.median.p50Us == null ? null : entry.median.p50Us - directP50;
    for (const measure of MEASURES) {
      if (!measure.ratioTo) continue;
      const reference = summary[measure.ratioTo]?.median[measure.key];
      const value = entry.median[measure.key];
      entry.ratio[measure.key] = reference && value != null ? value / reference : null;
    }
  }
  if (summary.direct) summary.direct.median.addedP50Us = null;
  return summary;
}

/** Each of the targets that this run can judge: `{ goal, target, measured, limit, sense, met, text }`. */
export function checkGoals(summary) {
  const checks = [];
  for (const goal of GOALS) {
    for (const [target, policy] of Object.entries(GUARD_TARGETS)) {
      const entry = summary[target];
      if (!entry) continue;
      const absolute = goal.maxAbsolute !== undefined;
      const measured = absolute ? entry.median[goal.key] : entry.ratio[goal.key];
      const limit = absolute ? goal.maxAbsolute : (goal.min?.[target] ?? goal.max);
      checks.push(judge(`${goal.what}, ${policy}`, target, measured, limit, goal.min ? 'min' : 'max', absolute ? 'µs' : '×'));
    }
  }
  return checks;
}

function judge(goal, target, measured, limit, sense, unit) {
  // More decimals where the usual ones would print a near miss as equal to its target.
  let digits = unit === 'µs' ? 0 : 2;
  while (measured != null && measured !== limit && digits < 4 && measured.toFixed(digits) === limit.toFixed(digits)) digits++;
  const show = (v, signed) => (unit === 'µs' ? `${signed && v >= 0 ? '+' : ''}${v.toFixed(digits)} µs` : `${v.toFixed(digits)}×`);
  const bound = `${sense === 'min' ? '≥' : '≤'} ${show(limit, false)}`;
  if (measured == null) return { goal, target, measured: null, limit, sense, met: null, text: `n/a (target ${bound}; not measured)` };
  const met = sense === 'min' ? measured >= limit : measured <= limit;
  const verdict = met ? 'met' : `MISSED by ${show(Math.abs(measured - limit), false)}`;
  return { goal, target, measured, limit, sense, met, text: `${show(measured, true)}  (target ${bound})  ${verdict}` };
}

function pad(text, width, alignRight) {
  const gap = ' '.repeat(Math.max(0, width - [...text].length));
  return alignRight ? gap + text : text + gap;
}

/** A plain-text table: one row per measure, one column per target, "value  ratio×" in each cell. */
export function formatTable(summary, targets, labels) {
  const header = ['measure (median)', ...targets.map((name) => labels[name])];
  const rows = MEASURES.map((measure) => [
    measure.label,
    ...targets.map((name) => {
      const entry = summary[name];
      const value = entry?.median[measure.key];
      if (value == null) return '—';
      const ratio = entry.ratio[measure.key];
      const showRatio = ratio != null && name !== measure.ratioTo;
      return showRatio ? `${measure.format(value)}  ${ratio.toFixed(2)}×` : measure.format(value);
    }),
  ]);
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => [...row[col]].length)));
  const line = (row) => row.map((cell, col) => pad(cell, widths[col], col > 0)).join('   ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

/** The targets, one per line. */
export function formatChecks(checks) {
  if (checks.length === 0) return '';
  const width = Math.max(...checks.map((check) => [...check.goal].length));
  return checks.map((check) => `${pad(check.goal, width)}   ${check.text}`).join('\n');
}
