// The command line of a benchmark section run alone (bench/matching.mjs, bench/large.mjs): the
// same options and exit codes as `npm run bench` for the part they share.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_GUARD_BIN } from './targets.mjs';

/**
 * Parses `argv`, runs `measure({ guardBin, quick, timeoutMs })` and prints `format(result)` (or
 * the JSON with --json). Returns the exit code: 0, 1 when the section failed, 2 on a bad option.
 */
export async function sectionMain(argv, { script, name, measure, format }) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        guard: { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '30000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench: ${error.message} (see node ${script} --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`usage: node ${script} [--quick] [--guard <file>] [--json] [--timeout <ms>]\n`);
    return 0;
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    process.stderr.write(`bench: --timeout: "${values.timeout}" is not a positive integer of milliseconds\n`);
    return 2;
  }
  try {
    const result = await measure({ guardBin: resolve(values.guard ?? DEFAULT_GUARD_BIN), quick: values.quick, timeoutMs });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${format(result)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${name}: ${error.message}\n`);
    return 1;
  }
}
