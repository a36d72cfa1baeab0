/**
 * Every JSON-RPC method an MCP revision from 2024-11-05 to 2026-07-28 defines, or its official
 * tasks extension (read from the specification repository's schema/<revision>/schema.ts and
 * docs/extensions/tasks). Under `default: "deny"` a method outside this list is refused (SPEC §4):
 * it is either a typo or something the policy's author never had a chance to judge.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  // lifecycle and utilities
  'initialize',
  'notifications/initialized',
  'ping',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/message',
  'logging/setLevel',
  'completion/complete',
  // 2026-07-28
  'server/discover',
  'subscriptions/listen',
  'notifications/subscriptions/acknowledged',
  // tools, prompts, resources
  'tools/list',
  'tools/call',
  'notifications/tools/list_changed',
  'prompts/list',
  'prompts/get',
  'notifications/prompts/list_changed',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
  // client features
  'sampling/createMessage',
  'elicitation/create',
  'notifications/elicitation/complete',
  'roots/list',
  'notifications/roots/list_changed',
  // tasks: 2025-11-25's core tasks and the io.modelcontextprotocol/tasks extension
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'tasks/update',
  'notifications/tasks/status',
  'notifications/tasks',
]);

/** Relayed whatever `methods` says: a policy cannot break the session's lifecycle. */
export const LIFECYCLE_METHODS: ReadonlySet<string> = new Set(['initialize', 'notifications/initialized', 'ping', 'notifications/cancelled', 'notifications/progress']);
