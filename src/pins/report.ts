import { unifiedDiff } from '../clients/unified-diff.js';
import { escapeText } from '../terminal/escape.js';
import { type PendingChange, pendingChanges } from './changes.js';
import { canonicalJson, type Definition, KIND_NOUN, PIN_KINDS, type PinKind } from './definitions.js';
import type { ServerPins } from './pin-document.js';

/** The kind of a definition as `--json` names it. */
const JSON_KIND: Record<PinKind, string> = { tools: 'tool', prompts: 'prompt', resourceTemplates: 'resourceTemplate' };

/** One pinned server, as `mcp-guard pins --json` prints it. */
export interface PinnedServerSummary {
  server: string[];
  pinnedAt: string | null;
  updatedAt: string | null;
  tools: number;
  prompts: number;
  resourceTemplates: number;
  /** Changes waiting for a person (`pins diff`). */
  pending: number;
}

export function summarisePins(pins: ServerPins): PinnedServerSummary {
  const times = [...pins.kinds.values()];
  const first = times.map((k) => k.pinnedAt).filter(Boolean).sort()[0];
  const last = times.map((k) => k.updatedAt).filter(Boolean).sort().at(-1);
  return {
    server: pins.server,
    pinnedAt: first ?? null,
    updatedAt: last ?? null,
    tools: pins.kinds.get('tools')?.pins.size ?? 0,
    prompts: pins.kinds.get('prompts')?.pins.size ?? 0,
    resourceTemplates: pins.kinds.get('resourceTemplates')?.pins.size ?? 0,
    pending: pendingChanges(pins).length,
  };
}

/** A server command line for a person: shell words, untrusted characters made visible. */
export function showServer(server: readonly string[]): string {
  return escapeText(server.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(' '));
}

export function formatSummaries(summaries: readonly PinnedServerSummary[]): string {
  return summaries
    .map((s) => {
      const counts = (['tools', 'prompts', 'resourceTemplates'] as const)
        .filter((k) => s[k] > 0)
        .map((k) => `${s[k]} ${k === 'resourceTemplates' ? 'resource template' : KIND_NOUN[k]}${s[k] === 1 ? '' : 's'}`);
      const pending = s.pending === 0 ? 'no changes waiting' : `${s.pending} change${s.pending === 1 ? '' : 's'} waiting (mcp-guard pins diff)`;
      return `${showServer(s.server)}\n    ${counts.length > 0 ? counts.join(', ') : 'nothing'} pinned ${s.pinnedAt ?? ''}${s.updatedAt && s.updatedAt !== s.pinnedAt ? `, last accepted ${s.updatedAt}` : ''}; ${pending}\n`;
    })
    .join('');
}

/** One change as `mcp-guard pins diff --json` prints it (documented in docs/pins.md). */
export interface ChangeJson {
  kind: string;
  change: PendingChange['change'];
  name: string;
  from?: string;
  /** The pinned members that differ (changed and renamed definitions). */
  fields?: string[];
  pinned?: { digest: string; pinnedAt: string; definition: Definition };
  current?: { digest: string; seenAt: string; definition: Definition };
  /** Members whose text holds control, bidirectional or zero-width characters. */
  hiddenCharacters: string[];
}

export interface ServerDiffJson {
  server: string[];
  changes: ChangeJson[];
}

export function diffJson(pins: ServerPins, changes: readonly PendingChange[] = pendingChanges(pins)): ServerDiffJson {
  return {
    server: pins.server,
    changes: changes.map((c) => {
      const seenAt = pins.kinds.get(c.kind)?.seen?.at ?? '';
      const pinned = 'pinned' in c ? c.pinned : undefined;
      const current = 'current' in c ? c.current : undefined;
      return {
        kind: JSON_KIND[c.kind],
        change: c.change,
        name: c.name,
        ...(c.change === 'renamed' ? { from: c.from } : {}),
        ...(pinned && current ? { fields: differingFields(pinned.definition, current).filter((f) => f !== 'name') } : {}),
        ...(pinned ? { pinned: { digest: pinned.digest, pinnedAt: pinned.pinnedAt, definition: pinned.definition } } : {}),
        ...(current && 'currentDigest' in c ? { current: { digest: c.currentDigest, seenAt, definition: current } } : {}),
        hiddenCharacters: Object.keys(current ?? pinned?.definition ?? {}).filter((f) => hasHiddenCharacters((current ?? pinned!.definition)[f])),
      };
    }),
  };
}

/** The members (name and title aside for a rename) whose values differ. */
function differingFields(before: Definition, after: Definition): string[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields].filter((f) => canonicalJson(before[f] ?? null) !== canonicalJson(after[f] ?? null)).sort();
}

/** Whether text anywhere in a value would be escaped on a terminal, line breaks and tabs aside. */
function hasHiddenCharacters(value: unknown): boolean {
  if (typeof value === 'string') {
    const text = value.replace(/[\n\t]/g, ' ');
    return escapeText(text) !== text;
  }
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => hasHiddenCharacters(k) || hasHiddenCharacters(v));
  return false;
}

/** A member as lines a person can read: text as its lines, anything else as indented JSON; every line escaped. */
function linesOf(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return text
    .split('\n')
    .map((line) => escapeText(line))
    .join('\n');
}

const INDENT = '      ';

function fieldDiff(field: string, before: unknown, after: unknown): string {
  const a = before === undefined ? '' : `${linesOf(before)}\n`;
  const b = after === undefined ? '' : `${linesOf(after)}\n`;
  const hunks = unifiedDiff(a, b, field, 3).split('\n').slice(2).filter(Boolean);
  const note = hasHiddenCharacters(after) ? `${INDENT}(contains control, bidirectional or zero-width characters, shown as \\u escapes)\n` : '';
  const absent = before === undefined ? ' (new)' : after === undefined ? ' (removed)' : '';
  return `    ${field}${absent}:\n${note}${hunks.map((h) => `${INDENT}${h}\n`).join('')}`;
}

function definitionText(definition: Definition): string {
  return Object.keys(definition)
    .filter((f) => f !== 'name')
    .map((f) => {
      const note = hasHiddenCharacters(definition[f]) ? `${INDENT}(contains control, bidirectional or zero-width characters, shown as \\u escapes)\n` : '';
      return `    ${f}:\n${note}${linesOf(definition[f])
        .split('\n')
        .map((l) => `${INDENT}${l}\n`)
        .join('')}`;
    })
    .join('');
}

/** `pins diff` for a person: each change, with a line diff of every member that changed. */
export function formatDiff(pins: ServerPins, changes: readonly PendingChange[] = pendingChanges(pins)): string {
  const head = `${showServer(pins.server)}\n`;
  if (changes.length === 0) return `${head}  no changes since pinning\n`;
  const seen = PIN_KINDS.map((k) => pins.kinds.get(k)?.seen?.at)
    .filter(Boolean)
    .sort()
    .at(-1);
  const body = changes.map((c) => {
    const noun = `${KIND_NOUN[c.kind]} "${escapeText(c.name)}"`;
    switch (c.change) {
      case 'changed': {
        const fields = differingFields(c.pinned.definition, c.current);
        return `  ~ ${noun} changed since it was pinned (${c.pinned.pinnedAt}):\n${fields.map((f) => fieldDiff(f, c.pinned.definition[f], c.current[f])).join('')}`;
      }
      case 'new':
        return `  + ${noun} is new:\n${definitionText(c.current)}`;
      case 'removed':
        return `  - ${noun} is no longer listed (pinned ${c.pinned.pinnedAt})\n`;
      case 'renamed': {
        const fields = differingFields(c.pinned.definition, c.current).filter((f) => f !== 'name');
        return `  > ${KIND_NOUN[c.kind]} "${escapeText(c.from)}" was renamed to "${escapeText(c.name)}"; the rest of its definition is unchanged\n${fields.map((f) => fieldDiff(f, c.pinned.definition[f], c.current[f])).join('')}`;
      }
    }
  });
  return `${head}${seen ? `  as last listed ${seen}:\n` : ''}${body.join('')}`;
}
