/** The policy file as written (after validation against schema/policy.schema.json). */

export type Action = 'allow' | 'deny' | 'hide' | 'ask';
export type DefaultAction = 'allow' | 'deny' | 'ask';
export type WindowSpec = 'second' | 'minute' | 'hour' | 'day' | number | string;

export interface LimitSpec {
  counter?: string;
  window: WindowSpec;
  max: number;
  scope?: 'session' | 'grant';
  increment_from?: string;
  refund?: 'on-error' | 'never';
  $comment?: string;
}

export type ApprovalVia = 'any' | 'client' | 'terminal';

export type JsonSchema = Record<string, unknown> | boolean;

export interface WhenRuleSpec {
  when: JsonSchema;
  action?: Action;
  reason?: string;
  limits?: LimitSpec[];
  approval?: { via?: ApprovalVia; $comment?: string };
  $comment?: string;
}

export interface RuleObjectSpec {
  action?: Action;
  reason?: string;
  limits?: LimitSpec[];
  rate_limit?: string | LimitSpec;
  args?: JsonSchema;
  rules?: WhenRuleSpec[];
  approval?: { via?: ApprovalVia; $comment?: string };
  $comment?: string;
}

export type RuleSpec = Action | RuleObjectSpec;

export interface PolicyDocument {
  $schema?: string;
  $comment?: string;
  version: '1';
  description?: string;
  default?: DefaultAction;
  hide?: string[];
  all_tools?: { limits?: LimitSpec[]; $comment?: string };
  tools?: Record<string, RuleSpec>;
  resources?: Record<string, RuleSpec>;
  prompts?: Record<string, RuleSpec>;
  methods?: Record<string, 'allow' | 'deny'>;
  audit?: { path?: string; arguments?: boolean; $comment?: string };
  approval?: { timeout?: number; via?: ApprovalVia; $comment?: string };
  tests?: PolicyTestCase[];
  /** Where grant counters, approvals and pins live (SPEC §13): `sqlite:<dir>`, `redis://…`, `rediss://…`. */
  state?: string;
}

/** What a test case may expect: `allowed`, `ask`, or a refusal decision (SPEC §4). */
export const EXPECTED_DECISIONS = [
  'allowed',
  'ask',
  'denied',
  'invalid_arguments',
  'rate_limited',
  'approval_declined',
  'approval_timeout',
  'approval_unavailable',
  'protected',
  'unpinned',
] as const;

export type ExpectedDecision = (typeof EXPECTED_DECISIONS)[number];

/** One case of `mcp-guard test` (SPEC §10): one message, when and how often, and the decision expected. */
export interface PolicyTestCase {
  name?: string;
  call?: string | { tool: string; arguments?: Record<string, unknown>; $comment?: string };
  resource?: string;
  prompt?: string | { name: string; arguments?: Record<string, unknown>; $comment?: string };
  method?: string;
  repeat?: number;
  at?: number;
  expect: ExpectedDecision;
  rule?: string;
  $comment?: string;
}

/** A location in a policy document, as keys and indexes: `['tools', 'x', 'limits', 0]`. */
export type PolicyPath = ReadonlyArray<string | number>;
