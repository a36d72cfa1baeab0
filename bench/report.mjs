// From per-round figures to medians, ratios, the targets of issues 19 and 18 and the printed table.

/**
 * What each run measures, with the target each value's ratio is to (`ratioTo`). `relayRow`: the
 * table also shows the ratio to the raw relay, because a target is judged on it.
 */
export const MEASURES = [
  { key: 'startupMs', label: 'startup to initialize answer (ms)', format: (v) => v.toFixed(1), ratioTo: 'direct', relayRow: true },
  { key: 'p50Us', label: 'round trip p50 (µs)', format: (v) => v.toFixed(0), ratioTo: 'direct' },
  { key: 'p99Us', label: 'round trip p99 (µs)', format: (v) => v.toFixed(0), ratioTo: 'direct' },
  { key: 'addedP50Us', label: 'p50 added over direct (µs)', format: signedMicros },
  { key: 'addedP50OverRelayUs', label: 'p50 added over raw relay (µs)', format: signedMicros },
  { key: 'callsPerSecond', label: 'pipelined calls/s (64 in flight)', format: (v) => Math.round(v).toLocaleString('en-US'), ratioTo: 'direct', relayRow: true },
  { key: 'largeMiBPerSecond', label: '4 MiB results (MiB/s)', format: (v) => v.toFixed(0), ratioTo: 'direct', relayRow: true },
  { key: 'peakRssMiB', label: 'peak RSS (MiB; ratio to raw relay)', format: (v) => v.toFixed(1), ratioTo: 'relay' },
];
const RELAY_ROW_LABEL = '  ratio to raw relay';

/**
 * The targets of issues 19 and 18, each judged on the median of `key` for `target` against the
 * same run's `reference`: a ratio (`min`/`max`), or for latency a difference in µs (`maxAddedUs`).
 * The relay-relative ones are for allow-all, as the issue measured them: they ask what the guard
 * costs over the cheapest relay, not what a policy costs.
 */
export const GOALS = [
  { goal: 'allow-all pipelined calls/s, to raw relay', target: 'guard-allow', reference: 'relay', key: 'callsPerSecond', min: 0.85 },
  { goal: 'allow-all 4 MiB results, to raw relay', target: 'guard-allow', reference: 'relay', key: 'largeMiBPerSecond', min: 0.95 },
  { goal: 'allow-all p50, over raw relay', target: 'guard-allow', reference: 'relay', key: 'p50Us', maxAddedUs: 40 },
  { goal: 'allow-all start-up, to raw relay', target: 'guard-allow', reference: 'relay', key: 'startupMs', max: 1.2 },
  { goal: 'allow-all peak RSS, to raw relay', target: 'guard-allow', reference: 'relay', key: 'peakRssMiB', max: 1.2 },
  { goal: 'realistic pipelined calls/s, to direct', target: 'guard-realistic', reference: 'direct', key: 'callsPerSecond', min: 0.5 },
  { goal: 'realistic Redis pipelined calls/s, to realistic SQLite', target: 'guard-realistic-redis', reference: 'guard-realistic', key: 'callsPerSecond', min: 0.5 },
];

function signedMicros(v) {
  return `${v >= 0 ? '+' : ''}${v.toFixed(0)}`;
}

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Medians per target over the rounds, ratios to the reference target of each measure and to the
 * raw relay, and the added p50 latency over direct and over the relay (differences of medians).
 * A run that failed part-way still counts for the phases it completed (a guard that stalls under
 * load still has a startup time).
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
    summary[name] = { rounds: runs.length - failures, failures, median: medians, ratio: {}, ratioToRelay: {}, range };
  }
  const difference = (value, reference) => (value == null || reference == null ? null : value - reference);
  const quotient = (value, reference) => (reference && value != null ? value / reference : null);
  for (const [name, entry] of Object.entries(summary)) {
    entry.median.addedP50Us = name === 'direct' ? null : difference(entry.median.p50Us, summary.direct?.median.p50Us);
    entry.median.addedP50OverRelayUs = name === 'direct' || name === 'relay' ? null : difference(entry.median.p50Us, summary.relay?.median.p50Us);
    for (const measure of MEASURES) {
      if (measure.ratioTo) entry.ratio[measure.key] = quotient(entry.median[measure.key], summary[measure.ratioTo]?.median[measure.key]);
      if (measure.relayRow && name !== 'direct' && name !== 'relay') entry.ratioToRelay[measure.key] = quotient(entry.median[measure.key], summary.relay?.median[measure.key]);
    }
  }
  return summary;
}

/**
 * Each target this run can judge (those whose guard target ran):
 * `{ goal, target, reference, measured, limit, sense, met, text, rounds }`; `measured` is null when
 * the reference was not run. The verdict is the medians'; `rounds` (given the runs) is the same
 * comparison round by round (the target and its reference run one after the other in each
 * round): `{ min, max, meeting, of }`, so a verdict that the rounds split is seen to be at the line.
 */
export function checkGoals(summary, runsByTarget = {}) {
  const checks = [];
  for (const goal of GOALS) {
    const entry = summary[goal.target];
    if (!entry) continue;
    const value = entry.median[goal.key];
    const reference = summary[goal.reference]?.median[goal.key];
    const absolute = goal.maxAddedUs !== undefined;
    const compare = (v, r) => (v == null || r == null ? null : absolute ? v - r : r ? v / r : null);
    const measured = compare(value, reference);
    const limit = absolute ? goal.maxAddedUs : (goal.min ?? goal.max);
    const sense = goal.min !== undefined ? 'min' : 'max';
    const missing = !summary[goal.reference] ? `${goal.reference} was not run` : 'not measured';
    const rounds = roundByRound(runsByTarget[goal.target], runsByTarget[goal.reference], goal.key, compare, (m) => (sense === 'min' ? m >= limit : m <= limit));
    checks.push({ ...judge(goal.goal, goal.target, measured, limit, sense, absolute ? 'µs' : '×', missing, rounds), reference: goal.reference, ...(rounds ? { rounds } : {}) });
  }
  return checks;
}

/** The comparison in each round both targets completed: its range, and how many rounds meet the target. */
function roundByRound(runs, references, key, compare, meets) {
  if (!runs || !references) return undefined;
  const value = (run) => (key === 'peakRssMiB' ? (run.peakRssKiB == null ? null : run.peakRssKiB / 1024) : run[key]);
  const values = [];
  for (const run of runs) {
    const reference = references.find((r) => r.round === run.round);
    const m = reference ? compare(value(run), value(reference)) : null;
    if (typeof m === 'number' && Number.isFinite(m)) values.push(m);
  }
  if (values.length === 0) return undefined;
  return { min: Math.min(...values), max: Math.max(...values), meeting: values.filter(meets).length, of: values.length };
}

function judge(goal, target, measured, limit, sense, unit, missing, rounds) {
  // More decimals where the usual ones would print a near miss as equal to its target.
  let digits = unit === 'µs' ? 0 : 2;
  while (measured != null && measured !== limit && digits < 4 && measured.toFixed(digits) === limit.toFixed(digits)) digits++;
  const show = (v, signed) => (unit === 'µs' ? `${signed && v >= 0 ? '+' : ''}${v.toFixed(digits)} µs` : `${v.toFixed(digits)}×`);
  const bound = `${sense === 'min' ? '≥' : '≤'} ${show(limit, true)}`;
  if (measured == null) return { goal, target, measured: null, limit, sense, met: null, text: `n/a (target ${bound}; ${missing})` };
  const met = sense === 'min' ? measured >= limit : measured <= limit;
  const verdict = met ? 'met' : `MISSED by ${show(Math.abs(measured - limit), false)}`;
  // Rounds that disagree with the medians' verdict mean it is at the line on this machine.
  const split = rounds && rounds.meeting > 0 && rounds.meeting < rounds.of ? `; ${rounds.meeting} of ${rounds.of} rounds meet it` : '';
  const spread = rounds && rounds.of > 1 ? `  (rounds ${show(rounds.min, true)} to ${show(rounds.max, true)}${split})` : '';
  return { goal, target, measured, limit, sense, met, text: `${show(measured, true)}  (target ${bound})  ${verdict}${spread}` };
}

function pad(text, width, alignRight) {
  const gap = ' '.repeat(Math.max(0, width - [...text].length));
  return alignRight ? gap + text : text + gap;
}

/**
 * A plain-text table: one row per measure, one column per target, "value  ratio×" in each cell;
 * under a measure with `relayRow`, a row of ratios to the raw relay (for the guard and the proxy).
 */
export function formatTable(summary, targets, labels) {
  const header = ['measure (median)', ...targets.map((name) => labels[name])];
  const rows = [];
  for (const measure of MEASURES) {
    rows.push([
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
    if (measure.relayRow) {
      rows.push([
        RELAY_ROW_LABEL,
        ...targets.map((name) => {
          const ratio = summary[name]?.ratioToRelay[measure.key];
          return ratio == null ? '—' : `${ratio.toFixed(2)}×`;
        }),
      ]);
    }
  }
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
