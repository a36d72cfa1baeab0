import type { CompiledPolicy } from '../policy/engine/compile.js';
import { isEntryVisible, isToolVisible } from '../policy/engine/decide.js';
import { uriReadings } from '../policy/engine/uri.js';
import { foldMemberName } from '../protocol/duplicate-keys.js';

/** List requests whose responses are filtered so the agent never sees hidden entries (SPEC §4). */
export const LIST_METHODS: ReadonlySet<string> = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);

/** The member of each list result that holds the list. */
export const LIST_MEMBER_OF: Readonly<Record<string, string>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

export type Filtered = { kind: 'kept'; result: undefined } | { kind: 'changed'; result: Record<string, unknown> } | { kind: 'refused'; why: string };

const KEPT: Filtered = { kind: 'kept', result: undefined };

/**
 * Removes hidden entries from a list result. `kept` when nothing was removed (so the original
 * bytes can be relayed untouched); `refused` when the result has a member that differs from the
 * list's only in letter case (`Tools`): Go clients read it as the list, which was never filtered.
 */
export function filterListResult(policy: CompiledPolicy, method: string, result: Record<string, unknown>): Filtered {
  const member = LIST_MEMBER_OF[method];
  if (!member) return KEPT;
  for (const key of Object.keys(result)) {
    if (key !== member && foldMemberName(key) === member) return { kind: 'refused', why: `its result has the member "${key}", which some clients read as "${member}"` };
  }
  return filterArray(result, member, (entry) => isListEntryVisible(policy, method, entry));
}

/** Whether the policy shows an entry of a list result. */
export function isListEntryVisible(policy: CompiledPolicy, method: string, entry: Record<string, unknown>): boolean {
  switch (method) {
    case 'tools/list':
      return typeof entry.name === 'string' && isToolVisible(policy, entry.name);
    case 'prompts/list':
      return typeof entry.name === 'string' && isEntryVisible(policy, policy.prompts, entry.name);
    case 'resources/list':
      return typeof entry.uri === 'string' && uriReadings(entry.uri).every((normal) => isEntryVisible(policy, policy.resources, normal));
    default:
      return typeof entry.uriTemplate === 'string' && isEntryVisible(policy, policy.resources, entry.uriTemplate);
  }
}

/** A list result without the entries of these names (definitions pinning hides, SPEC §12). */
export function withoutNames(method: string, result: Record<string, unknown>, names: ReadonlySet<string>): Record<string, unknown> {
  const member = LIST_MEMBER_OF[method]!;
  const filtered = filterArray(result, member, (entry) => typeof entry.name !== 'string' || !names.has(entry.name));
  return filtered.kind === 'changed' ? filtered.result : result;
}

function filterArray(result: Record<string, unknown>, key: string, keep: (entry: Record<string, unknown>) => boolean): Filtered {
  const entries = result[key];
  if (!Array.isArray(entries)) return KEPT;
  const kept = entries.filter((e) => e !== null && typeof e === 'object' && !Array.isArray(e) && keep(e as Record<string, unknown>));
  return kept.length === entries.length ? KEPT : { kind: 'changed', result: { ...result, [key]: kept } };
}
