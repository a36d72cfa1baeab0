import type { RuleObjectSpec } from '../policy/engine/types.js';
import { commentText, GROUP_TITLES, SCHEMA_URL, type StartingPolicy } from './starting-policy.js';

/** The starting policy as JSON: comments go in `$comment` members, which the policy format allows in every object. */
export function startingPolicyJson(policy: StartingPolicy): string {
  const tools: Record<string, RuleObjectSpec | string> = { $comment: groupSummary(policy) };
  for (const entry of policy.entries) tools[entry.key] = { $comment: commentText(entry), ...entry.rule };
  const document = {
    $schema: SCHEMA_URL,
    $comment: policy.header.join(' '),
    version: '1',
    description: `Starting policy for ${policy.command}`,
    default: 'deny',
    tools,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** JSON has no comments between members, so the grouping is told once, at the top of `tools`. */
function groupSummary(policy: StartingPolicy): string {
  if (policy.entries.length === 0) return 'The server listed no tools, so every call is refused.';
  const parts: string[] = [];
  for (const group of ['read-only', 'limited', 'destructive'] as const) {
    const names = policy.entries.filter((e) => e.group === group).map((e) => e.name);
    if (names.length > 0) parts.push(`${GROUP_TITLES[group](policy.rateLimit)}: ${names.join(', ')}.`);
  }
  return parts.join(' ');
}
