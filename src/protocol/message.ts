/** JSON-RPC 2.0 message kinds and the wire errors mcp-guard builds. */

import { foldName } from './fold.js';
import { CONTROL_CHARACTER, foldMemberName } from './duplicate-keys.js';
import { KNOWN_METHODS } from './known-methods.js';

export type JsonRpcId = string | number;

export type Message =
  | { kind: 'request'; id: JsonRpcId; method: string; params: Record<string, unknown> | undefined; value: Record<string, unknown> }
  | { kind: 'notification'; method: string; params: Record<string, unknown> | undefined; value: Record<string, unknown> }
  | { kind: 'response'; id: JsonRpcId | null; isError: boolean; value: Record<string, unknown> }
  | { kind: 'invalid'; id: JsonRpcId | null; why: string };

/** JSON-RPC's own codes, and the one mcp-guard uses for policy refusals (outside the reserved range). */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INTERNAL_ERROR = -32603;
export const POLICY_REFUSED = -31403;

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Member names mcp-guard reads, at the top level and in the params of the calls it judges. */
const ENVELOPE_MEMBERS = ['jsonrpc', 'id', 'method', 'params', 'result', 'error'];
const JUDGED_PARAMS = ['name', 'arguments', 'uri'];
const JUDGED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read', 'resources/subscribe']);

/** MCP's methods by their folded spelling (letter case, Unicode form, invisible characters, surrounding spaces). */
const KNOWN_BY_FOLD = new Map([...KNOWN_METHODS].map((m) => [foldName(m), m]));

/**
 * The MCP method `method` is a variant of (`TOOLS/CALL`, `tools/call `), or undefined: a server
 * that matches methods leniently would run it as that method, which mcp-guard would not judge.
 */
function methodVariant(method: string): string | undefined {
  if (KNOWN_METHODS.has(method)) return undefined;
  return KNOWN_BY_FOLD.get(foldName(method));
}

/**
 * A member that is not one of `names` but is one of them to a parser that ignores letter case
 * (Go's encoding/json): `{"result":{},"Method":"tools/call"}` is a response here and a call there.
 */
function caseVariantMember(obj: Record<string, unknown>, names: readonly string[]): string | undefined {
  // for-in makes no array of the names (this runs on every message); only own members count.
  for (const key in obj) {
    if (!names.includes(key) && names.includes(foldMemberName(key)) && Object.hasOwn(obj, key)) return key;
  }
  return undefined;
}

/** Classifies one parsed JSON value (not an array) as a JSON-RPC message. */
export function classify(value: unknown): Message {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', id: null, why: 'a JSON-RPC message must be an object' };
  }
  const obj = value as Record<string, unknown>;
  const id = isId(obj.id) ? obj.id : null;
  if (obj.jsonrpc !== '2.0') return { kind: 'invalid', id, why: 'jsonrpc must be "2.0"' };
  const variant = caseVariantMember(obj, ENVELOPE_MEMBERS);
  if (variant !== undefined) return { kind: 'invalid', id, why: `the member "${variant}" differs from a JSON-RPC member only in letter case` };
  const params = obj.params;
  if (params !== undefined && (params === null || typeof params !== 'object')) {
    return { kind: 'invalid', id, why: 'params must be an object or an array' };
  }
  if ('method' in obj) {
    if (typeof obj.method !== 'string') return { kind: 'invalid', id, why: 'method must be a string' };
    // A C server reads "tools/call\u0000x" as tools/call; mcp-guard would judge an unknown method.
    if (CONTROL_CHARACTER.test(obj.method)) return { kind: 'invalid', id, why: 'method contains a control character' };
    const meant = methodVariant(obj.method);
    if (meant !== undefined) return { kind: 'invalid', id, why: `the method ${JSON.stringify(obj.method)} differs from ${meant} only in letter case, Unicode form, invisible characters or surrounding spaces` };
    if ('result' in obj || 'error' in obj) return { kind: 'invalid', id, why: 'a request cannot carry result or error' };
    const p = Array.isArray(params) ? undefined : (params as Record<string, unknown> | undefined);
    const paramVariant = p && JUDGED_METHODS.has(obj.method) ? caseVariantMember(p, JUDGED_PARAMS) : undefined;
    if (paramVariant !== undefined) return { kind: 'invalid', id, why: `params.${paramVariant} differs from a member mcp-guard judges only in letter case` };
    if (p && JUDGED_METHODS.has(obj.method)) {
      for (const member of JUDGED_PARAMS) {
        const value = p[member];
        if (member !== 'arguments' && typeof value === 'string' && CONTROL_CHARACTER.test(value)) {
          return { kind: 'invalid', id, why: `params.${member} contains a control character` };
        }
      }
    }
    if (!('id' in obj)) return { kind: 'notification', method: obj.method, params: p, value: obj };
    if (id === null) return { kind: 'invalid', id: null, why: 'id must be a string or a number' };
    return { kind: 'request', id, method: obj.method, params: p, value: obj };
  }
  const hasResult = 'result' in obj;
  const hasError = 'error' in obj;
  if (hasResult === hasError) return { kind: 'invalid', id, why: 'a response needs exactly one of result or error' };
  if (!('id' in obj) || (obj.id !== null && id === null)) return { kind: 'invalid', id, why: 'a response needs an id' };
  if (hasError) {
    const err = obj.error as Record<string, unknown> | null;
    if (err === null || typeof err !== 'object' || typeof err.code !== 'number' || typeof err.message !== 'string') {
      return { kind: 'invalid', id, why: 'error must be an object with a numeric code and a message' };
    }
  }
  return { kind: 'response', id, isError: hasError, value: obj };
}

/** Serialises a JSON-RPC error response as one wire line (with its `\n`). */
export function errorLine(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  return `${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`;
}

/** Serialises a JSON-RPC result response as one wire line. */
export function resultLine(id: JsonRpcId, result: unknown): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`;
}
