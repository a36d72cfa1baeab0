import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * How `init` treats a tool, from the hints the server gives in its annotations:
 * `read-only` is allowed, `destructive` asks a person, `limited` is allowed with a rate limit.
 */
export type RiskGroup = 'read-only' | 'limited' | 'destructive';

export interface ToolRisk {
  group: RiskGroup;
  /** Which hint decided, in words for the generated comments. */
  because: string;
}

/**
 * Annotations are the server's own claims, not guarantees, so the reading is cautious: a
 * read-only tool is allowed; one marked destructive, or marked not read-only without saying it
 * is not destructive (MCP's default for `destructiveHint` is true), needs a person; everything
 * else, including tools with no hints at all, is allowed under a rate limit.
 */
export function classifyTool(tool: Pick<Tool, 'annotations'>): ToolRisk {
  const hints = tool.annotations ?? {};
  const readOnly = hints.readOnlyHint;
  const destructive = hints.destructiveHint;
  const openWorld = hints.openWorldHint;
  if (readOnly === true) return { group: 'read-only', because: 'readOnlyHint' };
  if (destructive === true) return { group: 'destructive', because: 'destructiveHint' };
  if (readOnly === false && destructive === undefined) return { group: 'destructive', because: 'not read-only, and not marked non-destructive' };
  if (openWorld === true) return { group: 'limited', because: 'openWorldHint' };
  if (readOnly === undefined && destructive === undefined && openWorld === undefined) return { group: 'limited', because: 'no annotations' };
  return { group: 'limited', because: 'changes state, marked non-destructive' };
}
