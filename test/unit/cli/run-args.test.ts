import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { parseRunArgs } from '../../../src/cli/run-args.js';
import { register } from '../../../src/cli/run.js';
import type { CliContext } from '../../../src/cli/context.js';
import { firstOperand, flagsOf, OPTIONS, RUN_OPTIONS } from '../../../src/cli/options.js';
import { homedir } from 'node:os';

/** What commander makes of the same command line (the action is swapped for a recorder). */
async function viaCommander(argv: string[]) {
  const program = new Command('mcp-guard').enablePositionalOptions().exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program, { exitCode: 0, verbose: false } as CliContext);
  let seen: { command: string[]; options: Record<string, unknown> } | undefined;
  program.commands.find((c) => c.name() === 'run')!.action((command: string[], options: Record<string, unknown>) => {
    seen = { command, options: { ...options } };
  });
  await program.parseAsync(argv[0] === 'run' ? argv : ['run', ...argv], { from: 'user' });
  return seen;
}

describe('parseRunArgs (the start-up fast path)', () => {
  const agreeing = [
    ['--policy', 'p.json', '--', 'npx', '-y', 'server'],
    ['run', '-p', 'p.json', '--', 'node', 'server.js', '--flag'],
    ['-p', 'p.json', 'node', 'server.js', '--port', '3'],
    ['--policy=p.yaml', '--dry-run', '-q', '--audit-log', '/tmp/a.jsonl', '--', 'x'],
    ['--grant', 'team', '--state-dir', '/tmp/s', '--max-message-bytes', '1000', '--shutdown-timeout', '0.5', '-v', '--', 'srv'],
    ['--', 'server-with-no-policy-flag'],
    ['-p', '~/p.json', '--state-dir', '~/state', '--audit-log=~/a.jsonl', '--', 'srv'],
    ['-p', 'lint', '--', 'node', 'srv'],
  ];
  it.each(agreeing)('agrees with commander on %j', async (...argv) => {
    const fast = parseRunArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaCommander(argv));
  });

  it.each([
    [['--help']],
    [['--policy']],
    [['--polcy', 'p.json', '--', 'x']],
    [['--max-message-bytes', 'lots', '--', 'x']],
    [['--max-message-bytes', '1e3', '--', 'x']],
    [['--shutdown-timeout', '-1', '--', 'x']],
    [['-p', 'p.json']],
    [['-q', '-v', '--', 'x']],
  ])('leaves %j to commander', (argv) => {
    expect(parseRunArgs(argv)).toBeUndefined();
  });
});

describe('the option table', () => {
  it('is what commander registers for run, flag for flag', () => {
    const program = new Command('mcp-guard').enablePositionalOptions();
    register(program, { exitCode: 0, verbose: false } as CliContext);
    const run = program.commands.find((c) => c.name() === 'run')!;
    expect(run.options.map((o) => o.flags)).toEqual(RUN_OPTIONS.map((id) => OPTIONS[id].flags));
  });

  it('expands ~ in path options for both parsers', () => {
    expect(parseRunArgs(['-p', '~/p.json', '--', 'srv'])!.options.policy).toBe(`${homedir()}/p.json`);
  });

  it('reads the flags of every entry', () => {
    for (const spec of Object.values(OPTIONS)) expect(() => flagsOf(spec)).not.toThrow();
    expect(flagsOf(OPTIONS.noUv)).toMatchObject({ long: '--no-uv', key: 'uv', negated: true, takesValue: false });
    expect(flagsOf(OPTIONS.packages)).toMatchObject({ key: 'packages', takesValue: true, variadic: true });
  });

  it.each([
    [['-p', 'lint', '--', 'node', 'srv'], 2],
    [['lint', 'x.json'], 0],
    [['--dry-run', '--state-dir', 'run', 'srv'], 3],
    [['--policy=x', 'check'], 1],
    [['-q'], 1],
  ])('finds the first operand of %j at %i', (argv, at) => {
    expect(firstOperand(argv, RUN_OPTIONS)).toBe(at);
  });
});
