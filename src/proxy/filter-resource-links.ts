import type { CompiledPolicy } from '../policy/engine/compile.js';
import { isResourceRefused } from '../policy/engine/decide.js';
import { foldMemberName } from '../protocol/duplicate-keys.js';
import type { Filtered } from './filter-lists.js';

/**
 * SPEC §4: a `resource_link` or embedded `resource` item of a tool result whose URI the
 * `resources` rules refuse is replaced by a text item saying that mcp-guard withheld it — the
 * agent would otherwise read, by way of a tool, what it may not read itself.
 */
export function withholdResourceLinks(policy: CompiledPolicy, result: Record<string, unknown>): Filtered {
  // for-in, here and below, makes no array of the names (this runs on every tool result).
  for (const key in result) {
    if (key !== 'content' && foldMemberName(key) === 'content' && Object.hasOwn(result, key)) return { kind: 'refused', why: `its result has the member "${key}", which some clients read as "content"` };
  }
  const content = result.content;
  if (!Array.isArray(content)) return { kind: 'kept', result: undefined };
  // Most results link to nothing: the copy is made only once an item is withheld.
  let items: unknown[] | undefined;
  for (let i = 0; i < content.length; i++) {
    const uri = linkedUri(content[i]);
    if (uri === undefined || (uri !== null && !isResourceRefused(policy, uri))) continue;
    items ??= content.slice();
    // The URI is not repeated: naming it would tell the agent what it may not see exists.
    const what = uri === null ? 'a resource link it could not read' : 'a link to a resource the policy does not allow';
    items[i] = { type: 'text', text: `mcp-guard: withheld ${what}` };
  }
  return items ? { kind: 'changed', result: { ...result, content: items } } : { kind: 'kept', result: undefined };
}

/**
 * The URI a content item links to or embeds; undefined for other items; null for an item that
 * looks like one but cannot be read the way every client would (a letter-case variant member).
 */
function linkedUri(item: unknown): string | null | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const it = item as Record<string, unknown>;
  for (const key in it) {
    const folded = foldMemberName(key);
    if (key !== folded && (folded === 'type' || folded === 'uri' || folded === 'resource') && Object.hasOwn(it, key)) return null;
  }
  if (it.type === 'resource_link') return typeof it.uri === 'string' ? it.uri : null;
  if (it.type === 'resource') {
    const resource = it.resource as Record<string, unknown> | null | undefined;
    if (resource === null || typeof resource !== 'object') return null;
    for (const key in resource) if (key !== 'uri' && foldMemberName(key) === 'uri' && Object.hasOwn(resource, key)) return null;
    return typeof resource.uri === 'string' ? resource.uri : null;
  }
  return undefined;
}
