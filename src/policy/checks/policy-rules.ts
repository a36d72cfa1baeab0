/**
 * Every check a policy file gets, by stable id. The same table feeds `run` (which refuses a
 * policy with any error), `lint`, the README's rule table and SARIF's `rules[]`.
 */
export interface RuleMeta {
  id: string;
  severity: 'error' | 'warning' | 'info';
  /** What it catches, in one line. */
  description: string;
  /** A policy fragment that triggers it. */
  example: string;
  /** How to fix it. */
  fix: string;
}

export const POLICY_RULES = [
  {
    id: 'syntax',
    severity: 'error',
    description: 'The file is not valid JSON or YAML (position of the first problem).',
    example: '{ "version": "1", }',
    fix: 'Correct the syntax at the position shown: JSON has no comments, trailing commas or single quotes.',
  },
  {
    id: 'duplicate-key',
    severity: 'error',
    description: 'The same key twice in one object: parsers disagree on which one wins.',
    example: '{ "tools": {}, "tools": {} }',
    fix: 'Keep one of them (merge their contents).',
  },
  {
    id: 'unknown-key',
    severity: 'error',
    description: 'A key the policy format does not have, with the nearest known key.',
    example: '"python_venv": { "limit": [] }',
    fix: 'Use the key suggested ("limits"), or remove it; notes go in "$comment".',
  },
  {
    id: 'missing-key',
    severity: 'error',
    description: 'A required key is missing ("version"; "window" and "max" in a limit; "when" in a rules entry).',
    example: '{ "window": "minute" }',
    fix: 'Add the key named in the message.',
  },
  {
    id: 'wrong-type',
    severity: 'error',
    description: 'A value of the wrong type (a string where a list is expected...).',
    example: '"limits": { "window": "minute", "max": 1 }',
    fix: 'Use the type named in the message ("limits" is a list: wrap the object in [ ]).',
  },
  {
    id: 'invalid-version',
    severity: 'error',
    description: '"version" is not "1".',
    example: '"version": 1',
    fix: 'Write "version": "1" (a string).',
  },
  {
    id: 'invalid-action',
    severity: 'error',
    description: 'An action that does not exist, or is not allowed in that place.',
    example: '"shell_exec": "block"',
    fix: 'Use allow, deny, hide or ask ("default" takes allow, deny or ask; "methods" allow or deny).',
  },
  {
    id: 'invalid-window',
    severity: 'error',
    description: 'A limit window that is not a window.',
    example: '"window": "fortnight"',
    fix: 'Use second, minute, hour, day, a number of seconds, or a duration like "90s", "15m", "2h", "1d" (at most a year).',
  },
  {
    id: 'invalid-scope',
    severity: 'error',
    description: 'A limit scope other than "session" or "grant".',
    example: '"scope": "global"',
    fix: 'Use "session" (this process) or "grant" (shared by every process with the same grant id, persisted).',
  },
  {
    id: 'invalid-max',
    severity: 'error',
    description: 'A limit "max" that is not a whole number of 0 or more.',
    example: '"max": 2.5',
    fix: 'Use a whole number, 0 or more.',
  },
  {
    id: 'invalid-rate-limit',
    severity: 'error',
    description: 'A "rate_limit" that is neither "<count>/<window>" nor a limit object.',
    example: '"rate_limit": "10 per minute"',
    fix: 'Write "10/minute", "5/hour", "100/15m", or a limit object { "window": ..., "max": ... }.',
  },
  {
    id: 'invalid-glob',
    severity: 'error',
    description: 'A name or URI pattern that cannot be compiled (an unclosed "[" or "{", a trailing "\\").',
    example: '"read_[abc": "allow"',
    fix: 'Close the bracket or brace, or escape the character with "\\".',
  },
  {
    id: 'invalid-value',
    severity: 'error',
    description: 'Any other value the format does not accept (an empty name, a negative timeout, a malformed increment_from path).',
    example: '"approval": { "timeout": -1 }',
    fix: 'Use a value of the kind the message names.',
  },
  {
    id: 'invalid-schema',
    severity: 'error',
    description: 'An "args" or "when" that is not a valid JSON Schema (draft 2020-12), including a "pattern" that is not a valid regular expression.',
    example: '"args": { "type": "nonsense" }',
    fix: 'Correct the keyword named in the message (JSON Schema types: string, number, integer, boolean, object, array, null).',
  },
  {
    id: 'invalid-condition',
    severity: 'error',
    description: 'A PolicyLayer require/deny_if condition that cannot be judged: a path that is not "args.<argument>", or a value of the wrong kind for its op.',
    example: '"deny_if": [ { "conditions": [ { "path": "amount", "op": "gt", "value": "10000" } ] } ]',
    fix: 'Write the path as "args.amount"; gt/gte/lt/lte take a number, in/not_in a list, exists true or false, regex a pattern.',
  },
  {
    id: 'default-missing',
    severity: 'warning',
    description: 'No "default": calls no entry names are denied (and unlisted tools hidden); say so explicitly.',
    example: '{ "version": "1", "tools": { "read_file": "allow" } }',
    fix: 'Add "default": "deny" (or "ask").',
  },
  {
    id: 'default-allow',
    severity: 'warning',
    description: '"default": "allow" lets through every tool, resource and prompt the policy does not name, including ones a server adds later.',
    example: '"default": "allow"',
    fix: 'Prefer "default": "deny" and list what is allowed; keep "allow" only for a deliberate deny-list policy.',
  },
  {
    id: 'shadowed-entry',
    severity: 'warning',
    description: 'A glob entry that can never apply, because an earlier glob matches everything it matches (globs are tried in file order).',
    example: '"tools": { "*": "allow", "delete_*": "deny" }',
    fix: 'Move the narrower entry above the broader one, or remove it.',
  },
  {
    id: 'unreachable-rule',
    severity: 'warning',
    description: 'A "rules" entry after one whose "when" always matches ({} or true): it can never apply.',
    example: '"rules": [ { "when": {}, "action": "ask" }, { "when": { "required": ["force"] }, "action": "deny" } ]',
    fix: 'Move the catch-all rule last, or give it a condition.',
  },
  {
    id: 'counter-window-mismatch',
    severity: 'warning',
    description: 'A counter name used by limits with different windows: limits that share a counter usually mean one budget.',
    example: '{ "counter": "writes", "window": "minute", "max": 10 } ... { "counter": "writes", "window": "hour", "max": 10 }',
    fix: 'Use the same window for the shared counter, or give each limit its own counter name.',
  },
  {
    id: 'catastrophic-regex',
    severity: 'warning',
    description: 'A "pattern" in an args/when schema that can backtrack exponentially in a backtracking engine (nested or overlapping repetition). mcp-guard runs patterns on RE2, in linear time, but a server checking the same pattern could stall on one long argument.',
    example: '"pattern": "^(a+)+$"',
    fix: 'Remove the nested repetition ("^a+$"), make alternatives disjoint, or check the value with "x-path-within", "enum" or "maxLength" instead.',
  },
  {
    id: 'open-path-args',
    severity: 'warning',
    description: 'An "args" schema of a tool that takes a path (a property with "x-path-within", or named path, file, dir, directory, folder, cwd, uri or url) without "additionalProperties": false: an argument it does not name passes unchecked, and a server may read it as the path instead (file_path for path, venv_path for venvPath, a member the policy does not know).',
    example: '"python_venv": { "args": { "type": "object", "properties": { "venvPath": { "x-path-within": ["~/projects"] } } } }',
    fix: 'Add "additionalProperties": false to the object that names the path, and list every argument the tool takes (mcp-guard lint --server shows the tool\'s own input schema).',
  },
  {
    id: 'ask-without-approval',
    severity: 'warning',
    description: 'An "ask" while "approval.timeout" is 0: nobody can ever answer, so every such call is refused as approval_timeout.',
    example: '"approval": { "timeout": 0 }, "tools": { "x": "ask" }',
    fix: 'Give approval.timeout a number of seconds (default 120), or use "deny" if that is what you mean.',
  },
  {
    id: 'unknown-schema-keyword',
    severity: 'warning',
    description: 'A key in an args/when schema that is not a JSON Schema keyword but close to one: it is ignored, so the check it was meant to make does not happen.',
    example: '"args": { "propertes": { "path": { "type": "string" } } }',
    fix: 'Use the keyword suggested ("properties"); vendor annotations should start with "x-".',
  },
  {
    id: 'invalid-test-case',
    severity: 'error',
    description: 'A test case that cannot run: no message to judge, more than one, or an "at" earlier than the case before it (the clock never runs backwards).',
    example: '"tests": [ { "call": "a", "at": 60, "expect": "allowed" }, { "call": "a", "at": 30, "expect": "allowed" } ]',
    fix: 'Give each case exactly one of "call", "resource", "prompt" or "method", and keep "at" in order.',
  },
  {
    id: 'unknown-test-name',
    severity: 'warning',
    description: 'A test case calls a tool or prompt that no entry names but one nearly does: most likely a typo, so the case tests the default instead.',
    example: '"tools": { "python_venv": "allow" }, "tests": [ { "call": "python_vnev", "expect": "allowed" } ]',
    fix: 'Use the name suggested; a case that means to test an unnamed tool expects "denied".',
  },
  {
    id: 'unknown-test-rule',
    severity: 'warning',
    description: 'A test case expects a "rule" that this policy can never report (no such entry, rules entry or limit), so it can never pass.',
    example: '"tests": [ { "call": "read_file", "expect": "denied", "rule": "tools.read_file.rules[3]" } ]',
    fix: 'Use the path of an existing part of the policy (the suggestion), as mcp-guard check prints it.',
  },
  {
    id: 'untestable-decision',
    severity: 'warning',
    description: 'A test case expects approval_declined, approval_timeout or approval_unavailable: those come from a person\'s answer, and mcp-guard test asks nobody.',
    example: '"tests": [ { "call": "delete_file", "expect": "approval_declined" } ]',
    fix: 'Expect "ask": the case then checks that the policy holds the call for a person.',
  },
  {
    id: 'policylayer',
    severity: 'info',
    description: 'A construct of PolicyLayer\'s JSON policy (require, deny_if, an "args." argument path in increment_from): accepted and judged as PolicyLayer documents it; the note shows the native form it is judged as.',
    example: '"create_refund": { "require": [ { "conditions": [ { "path": "args.reason", "op": "exists", "value": true } ] } ] }',
    fix: 'Nothing is wrong. To move to the native format, run mcp-guard lint --fix <file>: it writes the native form and keeps every decision the same.',
  },
] as const satisfies readonly RuleMeta[];

export type PolicyRuleId = (typeof POLICY_RULES)[number]['id'];

const BY_ID = new Map<string, RuleMeta>(POLICY_RULES.map((r) => [r.id, r]));

/** The meta of a policy rule id (throws for an unknown id: a programming error). */
export function policyRule(id: PolicyRuleId): RuleMeta {
  return BY_ID.get(id)!;
}
