import { GuardError } from '../errors.js';
import type { Tool } from '../lint/server-tools.js';
import type { PolicyFormat } from './output-file.js';

export interface GenerateOptions {
  format: PolicyFormat;
  /** The limit for open-world, other writing and unannotated tools, as `<count>/<window>`. */
  rateLimit: string;
  timeoutMs: number;
  cwd: string;
  /** Variables the server gets on top of mcp-guard's own environment (a client config's `env`). */
  env?: Record<string, string>;
  /** Aborting it stops the server and ends the listing (Ctrl-C). */
  signal?: AbortSignal;
}

export interface GeneratedPolicy {
  text: string;
  /** `12 tools: 5 read-only (allowed), …`. */
  summary: string;
  /** The tools the server listed (init pins them). */
  tools: Tool[];
}

/**
 * Starts a server, lists its tools and returns a starting policy for them that lints clean:
 * the work of `mcp-guard init`, shared with `wrap`, which offers it for each server it guards.
 */
export async function generateStartingPolicy(command: string[], options: GenerateOptions): Promise<GeneratedPolicy> {
  const [cmd, ...args] = command;
  const [{ listServerTools }, { buildStartingPolicy, describeRate }, { displayCommand }] = await Promise.all([
    import('../lint/server-tools.js'),
    import('./starting-policy.js'),
    import('./command-line.js'),
  ]);
  const tools = await listServerTools(cmd!, args, {
    timeoutMs: options.timeoutMs,
    cwd: options.cwd,
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const policy = buildStartingPolicy(tools, { command: displayCommand(command), rateLimit: options.rateLimit });
  const text = options.format === 'yaml' ? await (await import('./policy-yaml.js')).startingPolicyYaml(policy) : (await import('./policy-json.js')).startingPolicyJson(policy);
  await assertClean(text, options.format);
  const counts = (['read-only', 'limited', 'destructive'] as const).map((g) => policy.entries.filter((e) => e.group === g).length);
  const summary = `${policy.entries.length} tools: ${counts[0]} read-only (allowed), ${counts[1]} allowed ${describeRate(options.rateLimit)} each, ${counts[2]} destructive (ask)`;
  return { text, summary, tools };
}

/** The generated file must load and lint clean; if it would not, that is a bug here, not the user's. */
async function assertClean(text: string, format: PolicyFormat): Promise<void> {
  const [{ parsePolicySource }, { validatePolicy }] = await Promise.all([import('../policy/source/source.js'), import('../policy/checks/validate.js')]);
  const file = `generated-policy.${format}`;
  const problems = await validatePolicy(await parsePolicySource(text, file, { format }));
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new GuardError('INIT_INVALID', `internal error: the generated policy does not lint clean (${first.path}: ${first.message} (${first.ruleId})); please report it`);
  }
}
