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
  $comment?: string;
}

export type JsonSchema = Record<string, unknown> | boolean;

export interface WhenRuleSpec {
  when: JsonSchema;
  action?: Action;
  reason?: string;
  limits?: LimitSpec[];
  $comment?: string;
}

export interface RuleObjectSpec {
  action?: Action;
  reason?: string;
  limits?: LimitSpec[];
  rate_limit?: string | LimitSpec;
  args?: JsonSchema;
  rules?: WhenRuleSpec[];
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
  approval?: { timeout?: number; $comment?: string };
  /** Where grant counters, approvals and pins live (SPEC §13): `sqlite:<dir>`, `redis://…`, `rediss://…`. */
  state?: string;
}

/** A location in a policy document, as keys and indexes: `['tools', 'x', 'limits', 0]`. */
export type PolicyPath = ReadonlyArray<string | number>;
