import type { CompiledPolicy } from '../policy/engine/compile.js';
import { isEntryVisible, isToolVisible } from '../policy/engine/decide.js';

/** List requests whose responses are filtered so the agent never sees hidden entries (SPEC §4). */
export const LIST_METHODS = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);

/**
 * Removes hidden entries from a list result. Returns the new result, or undefined when nothing
 * was removed (so the original bytes can be relayed untouched).
 */
export function filterListResult(policy: CompiledPolicy, method: string, result: Record<string, unknown>): Record<string, unknown> | undefined {
  switch (method) {
    case 'tools/list':
      return filterArray(result, 'tools', (t) => typeof t.name === 'string' && isToolVisible(policy, t.name));
    case 'prompts/list':
      return filterArray(result, 'prompts', (p) => typeof p.name === 'string' && isEntryVisible(policy, policy.prompts, p.name));
    case 'resources/list':
      return filterArray(result, 'resources', (r) => typeof r.uri === 'string' && isEntryVisible(policy, policy.resources, r.uri));
    case 'resources/templates/list':
      return filterArray(result, 'resourceTemplates', (r) => typeof r.uriTemplate === 'string' && isEntryVisible(policy, policy.resources, r.uriTemplate));
    default:
      return undefined;
  }
}

function filterArray(result: Record<string, unknown>, key: string, keep: (entry: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
  const entries = result[key];
  if (!Array.isArray(entries)) return undefined;
  const kept = entries.filter((e) => e !== null && typeof e === 'object' && keep(e as Record<string, unknown>));
  return kept.length === entries.length ? undefined : { ...result, [key]: kept };
}
