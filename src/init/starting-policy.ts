import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { stripControl } from '../terminal/strip-control.js';
import type { RuleObjectSpec } from '../policy/engine/types.js';
import { classifyTool, type RiskGroup } from './tool-risk.js';

/** Generated policies name the schema of the mcp-guard that wrote them, as a `file:` URL that resolves on this machine. */
export { SCHEMA_URL } from '../paths/schema-file.js';
/** What `init` gives tools that are neither read-only nor destructive; `--rate-limit` changes it. */
export const DEFAULT_RATE_LIMIT = '30/minute';

/** One tool of the server and the rule `init` proposes for it. */
export interface StartingEntry {
  /** The policy key: the tool's name, with glob characters escaped so it stays an exact name. */
  key: string;
  name: string;
  group: RiskGroup;
  because: string;
  /** The tool's description, on one line, for a comment; empty when it has none. */
  description: string;
  rule: RuleObjectSpec;
}

/** A starting policy as data: the entries in risk order, and the words around them. */
export interface StartingPolicy {
  /** The server command line, as the user typed it. */
  command: string;
  rateLimit: string;
  entries: StartingEntry[];
  header: string[];
}

const ORDER: RiskGroup[] = ['read-only', 'limited', 'destructive'];

/** What each group gets, in words for the comments above it. */
export const GROUP_TITLES: Record<RiskGroup, (rate: string) => string> = {
  'read-only': () => 'Read-only (readOnlyHint): allowed',
  limited: (rate) => `Open-world, other writes, or no annotations: allowed, ${describeRate(rate)} each`,
  destructive: () => "Destructive (destructiveHint): a person's yes for each call",
};

/**
 * The policy `init` proposes for a server's tools: default deny, each tool grouped by the risk
 * its annotations claim, with its description beside it so it can be turned into a `reason`.
 */
export function buildStartingPolicy(tools: Tool[], opts: { command: string; rateLimit?: string }): StartingPolicy {
  const rateLimit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  const seen = new Set<string>();
  const entries: StartingEntry[] = [];
  for (const tool of tools) {
    // A server that lists a name twice (across pages, say) still gets one entry: keys must be unique.
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    const { group, because } = classifyTool(tool);
    const description = oneLine(tool.description ?? tool.annotations?.title ?? '');
    const rule: RuleObjectSpec =
      group === 'read-only'
        ? { action: 'allow' }
        : group === 'limited'
          ? { rate_limit: rateLimit }
          : { action: 'ask', reason: `the server marks ${oneLine(tool.name)} as destructive${description ? `: ${clip(description, 120)}` : ''}` };
    entries.push({ key: exactKey(tool.name), name: tool.name, group, because, description, rule });
  }
  entries.sort((a, b) => ORDER.indexOf(a.group) - ORDER.indexOf(b.group));
  const command = oneLine(opts.command);
  return {
    command,
    rateLimit,
    entries,
    header: [
      `Starting policy written by \`mcp-guard init\` from the tools of \`${command}\`.`,
      `Tools are grouped by the server's own annotations, which are hints it chooses: read them. Read-only tools are allowed; destructive ones need a person's yes; the rest are allowed ${describeRate(rateLimit)} each.`,
      'Tools the server adds later are refused and hidden (default: deny). Turn a description into a "reason" where the agent should be told why it was refused.',
    ],
  };
}

/**
 * The policy key that names exactly this tool: `*`, `?`, `[`, `{` and `\` would make it a glob
 * (or an escape), and `$comment` is a note, not a tool, so each is escaped with a backslash.
 */
export function exactKey(name: string): string {
  const escaped = name.replace(/[\\*?[{]/g, '\\$&');
  return escaped === '$comment' ? '\\$comment' : escaped;
}

/** Server text on one line, without terminal control sequences: it ends up in comments a person reads. */
function oneLine(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}

/** `30/minute` → `30 calls per minute`; `100/15m` → `100 calls per 15m`. */
export function describeRate(rate: string): string {
  const [count, window] = rate.split('/');
  return `${count} call${count === '1' ? '' : 's'} per ${window}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The comment for a tool: its description (cut at 300 characters) and the hint that placed it. */
export function commentText(entry: StartingEntry): string {
  const about = entry.description ? clip(entry.description, 300) : '(no description)';
  return `${about} [${entry.because}]`;
}
