import { createHash } from 'node:crypto';
import { canonicalJson } from '../protocol/canonical-json.js';

/** The lists whose definitions are pinned (SPEC §12), by the member of their result. */
export type PinKind = 'tools' | 'prompts' | 'resourceTemplates';

export const PIN_KINDS: readonly PinKind[] = ['tools', 'prompts', 'resourceTemplates'];

/** The list request whose result carries each kind. */
export const LIST_METHOD: Record<PinKind, string> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resourceTemplates: 'resources/templates/list',
};

/** The notification that tells a client to list a kind again. */
export const LIST_CHANGED: Record<PinKind, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resourceTemplates: 'notifications/resources/list_changed',
};

/** One definition, as a person reads its kind: `tool`, `prompt`, `resource template`. */
export const KIND_NOUN: Record<PinKind, string> = { tools: 'tool', prompts: 'prompt', resourceTemplates: 'resource template' };

/** The kind a list method returns, if it is one that is pinned. */
export function kindOfListMethod(method: string): PinKind | undefined {
  return method === 'tools/list' ? 'tools' : method === 'prompts/list' ? 'prompts' : method === 'resources/templates/list' ? 'resourceTemplates' : undefined;
}

/**
 * The members of a definition that are pinned: what a model reads or what shapes the calls it
 * makes. `_meta` and `icons` are left out (they change between listings without changing what
 * the definition says), and so is a tool's `execution` (whether it runs as a task).
 */
const PINNED_FIELDS: Record<PinKind, readonly string[]> = {
  tools: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompts: ['name', 'title', 'description', 'arguments'],
  resourceTemplates: ['name', 'title', 'description', 'uriTemplate', 'mimeType', 'annotations'],
};

/** A definition as it is pinned: the pinned members of a list entry, those it has. */
export type Definition = Record<string, unknown>;

/** The pinned members of a list entry, or undefined for an entry that has no string name. */
export function definitionOf(kind: PinKind, entry: unknown): Definition | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const record = entry as Record<string, unknown>;
  if (typeof record.name !== 'string') return undefined;
  const out: Definition = {};
  for (const field of PINNED_FIELDS[kind]) if (record[field] !== undefined) out[field] = record[field];
  return out;
}

export { canonicalJson };

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The digest a definition is pinned by. */
export function definitionDigest(definition: Definition): string {
  return sha256(canonicalJson(definition));
}

/**
 * The digest of what a definition says apart from what it is called (its name and title): two
 * definitions with the same body under different names are one definition renamed.
 */
export function bodyDigest(definition: Definition): string {
  const { name: _name, title: _title, ...body } = definition;
  return sha256(canonicalJson(body));
}
