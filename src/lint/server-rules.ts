import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { compileGlob, isGlob } from '../policy/engine/glob.js';
import type { RuleMeta } from '../policy/checks/policy-rules.js';
import type { ShapeProblem } from '../policy/checks/policy-shape.js';
import { formatPath, type PolicyPath } from '../policy/source/source-range.js';
import { nearest } from '../policy/checks/suggest.js';
import { entries, type EntryVisit, isObject, schemas } from '../policy/engine/walk.js';
import { argumentPath } from '../policy/policylayer/conditions.js';

/** What a server check sees: the policy document and the server's real tools. */
export interface ServerContext {
  doc: Record<string, unknown>;
  tools: Tool[];
}

/** A lint rule that needs the server (`lint --server`): `{ meta, check }`, as ESLint's rules are `{ meta, create }`. */
export interface ServerRule {
  meta: RuleMeta;
  check(ctx: ServerContext): Array<Omit<ShapeProblem, 'ruleId'>>;
}

/** Exact names are matched as written (a backslash escapes a glob character). */
function plainName(key: string): string {
  return key.replace(/\\(.)/g, '$1');
}

function matching(key: string, tools: Tool[]): Tool[] {
  if (!isGlob(key)) return tools.filter((t) => t.name === plainName(key));
  try {
    const regex = compileGlob(key, 'name');
    return tools.filter((t) => regex.test(t.name));
  } catch {
    return [];
  }
}

/** `tools` keys and `hide` entries, with where they are. */
function* toolNames(doc: Record<string, unknown>): Generator<{ key: string; path: PolicyPath; target: 'key' | 'value' }> {
  for (const entry of entries(doc)) if (entry.map === 'tools') yield { key: entry.key, path: entry.path, target: 'key' };
  if (Array.isArray(doc.hide)) {
    for (const [i, key] of doc.hide.entries()) if (typeof key === 'string') yield { key, path: ['hide', i], target: 'value' };
  }
}

const unknownTool: ServerRule = {
  meta: {
    id: 'unknown-tool',
    severity: 'error',
    description: 'With --server: a "tools" entry or "hide" name that names no tool of the server (with the nearest real name). The rule never applies, so the tool it meant gets the default.',
    example: '"tools": { "pyhton_venv": { "rate_limit": "10/minute" } }',
    fix: 'Use the tool name as the server spells it (the suggestion), or remove the entry.',
  },
  check({ doc, tools }) {
    const names = tools.map((t) => t.name);
    const out: Array<Omit<ShapeProblem, 'ruleId'>> = [];
    for (const { key, path, target } of toolNames(doc)) {
      if (isGlob(key) || matching(key, tools).length > 0) continue;
      const suggestion = nearest(plainName(key), names);
      out.push({
        path,
        target,
        message: `${formatPath(path)}: the server has no tool ${JSON.stringify(plainName(key))}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`,
        ...(suggestion ? { suggestion } : {}),
      });
    }
    return out;
  },
};

const unmatchedGlob: ServerRule = {
  meta: {
    id: 'unmatched-glob',
    severity: 'warning',
    description: 'With --server: a glob in "tools" or "hide" that matches none of the server\'s tools.',
    example: '"tools": { "git_*": "allow" } for a server whose tools are named "git-status", "git-log"',
    fix: 'Correct the pattern (names are matched exactly, including case), or remove it.',
  },
  check({ doc, tools }) {
    const out: Array<Omit<ShapeProblem, 'ruleId'>> = [];
    for (const { key, path, target } of toolNames(doc)) {
      if (!isGlob(key) || matching(key, tools).length > 0) continue;
      out.push({ path, target, message: `${formatPath(path)}: the pattern ${JSON.stringify(key)} matches none of the server's ${tools.length} tools` });
    }
    return out;
  },
};

interface ArgumentName {
  name: string;
  path: PolicyPath;
  target: 'key' | 'value';
}

/** Names an args/when schema refers to at the top level of the arguments, with where each is. */
function argumentNames(schema: unknown, path: PolicyPath, out: ArgumentName[] = []): ArgumentName[] {
  if (!isObject(schema)) return out;
  if (isObject(schema.properties)) for (const name of Object.keys(schema.properties)) out.push({ name, path: [...path, 'properties', name], target: 'key' });
  if (Array.isArray(schema.required)) schema.required.forEach((name, i) => typeof name === 'string' && out.push({ name, path: [...path, 'required', i], target: 'value' }));
  if (isObject(schema.dependentRequired)) for (const name of Object.keys(schema.dependentRequired)) out.push({ name, path: [...path, 'dependentRequired', name], target: 'key' });
  // Combinators still speak about the same arguments object.
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((s, i) => argumentNames(s, [...path, key, i], out));
  }
  for (const key of ['not', 'if', 'then', 'else']) argumentNames(schema[key], [...path, key], out);
  return out;
}

const unknownArgument: ServerRule = {
  meta: {
    id: 'unknown-argument',
    severity: 'error',
    description: 'With --server: an "args" or "when" schema, or a PolicyLayer condition ("args.<name>"), that names an argument the tool\'s input schema does not have, so the check or condition never sees it.',
    example: '"python_venv": { "args": { "properties": { "venv_path": { "x-path-within": ["~/projects"] } } } }',
    fix: 'Use the argument name from the tool\'s input schema (the suggestion).',
  },
  check({ doc, tools }) {
    const out: Array<Omit<ShapeProblem, 'ruleId'>> = [];
    const visits: Array<{ entry: EntryVisit; names: ArgumentName[] }> = [...schemas(doc)].map((visit) => ({ entry: visit.entry, names: argumentNames(visit.schema, visit.path) }));
    // PolicyLayer's conditions name their argument as "args.<name>".
    for (const entry of entries(doc)) {
      const names: ArgumentName[] = [];
      for (const key of ['require', 'deny_if']) {
        const list = isObject(entry.rule) ? entry.rule[key] : undefined;
        if (!Array.isArray(list)) continue;
        list.forEach((item, i) => {
          if (!isObject(item) || !Array.isArray(item.conditions)) return;
          item.conditions.forEach((c, j) => {
            const segments = isObject(c) && typeof c.path === 'string' ? argumentPath(c.path) : undefined;
            if (segments) names.push({ name: segments[0]!, path: [...entry.path, key, i, 'conditions', j, 'path'], target: 'value' });
          });
        });
      }
      if (names.length > 0) visits.push({ entry, names });
    }
    for (const visit of visits) {
      if (visit.entry.map !== 'tools') continue;
      const matched = matching(visit.entry.key, tools);
      // Only tools that declare their arguments can be checked against.
      const declared = matched.map((t) => (isObject(t.inputSchema?.properties) ? Object.keys(t.inputSchema.properties) : undefined)).filter((p): p is string[] => p !== undefined);
      if (declared.length === 0 || declared.length < matched.length) continue;
      for (const { name, path, target } of visit.names) {
        if (declared.some((props) => props.includes(name))) continue;
        const suggestion = nearest(name, new Set(declared.flat()));
        const which = matched.length === 1 ? `the tool ${JSON.stringify(matched[0]!.name)} has no argument` : `none of the ${matched.length} tools ${JSON.stringify(visit.entry.key)} matches has an argument`;
        out.push({
          path,
          target,
          message: `${formatPath(path)}: ${which} ${JSON.stringify(name)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ` (it has ${[...new Set(declared.flat())].map((n) => JSON.stringify(n)).join(', ') || 'none'})`}`,
          ...(suggestion ? { suggestion } : {}),
        });
      }
    }
    return out;
  },
};

const unguardedDestructiveTool: ServerRule = {
  meta: {
    id: 'unguarded-destructive-tool',
    severity: 'warning',
    description: 'With --server: a tool the server marks destructiveHint that the policy lets through with no limit and no approval ("ask").',
    example: '"default": "allow" (or "delete_*": "allow") for a server with a destructive "delete_file" tool',
    fix: 'Give the tool "ask", a limit or rate_limit, a "rules" entry that asks for the dangerous cases, or deny/hide it.',
  },
  check({ doc, tools }) {
    const out: Array<Omit<ShapeProblem, 'ruleId'>> = [];
    const allToolsLimited = isObject(doc.all_tools) && Array.isArray(doc.all_tools.limits) && doc.all_tools.limits.length > 0;
    const hidden = Array.isArray(doc.hide) ? doc.hide.filter((h): h is string => typeof h === 'string') : [];
    const toolEntries = [...entries(doc)].filter((e) => e.map === 'tools');
    for (const tool of tools) {
      if (tool.annotations?.destructiveHint !== true) continue;
      if (hidden.some((h) => matching(h, [tool]).length > 0)) continue;
      // Exact names first, then globs in file order, as the engine looks them up.
      const entry = toolEntries.find((e) => !isGlob(e.key) && plainName(e.key) === tool.name) ?? toolEntries.find((e) => isGlob(e.key) && matching(e.key, [tool]).length > 0);
      if (!entry) {
        if (doc.default === 'allow' && !allToolsLimited) {
          out.push({ path: ['default'], target: 'value', message: `default: the server's destructive tool ${JSON.stringify(tool.name)} is allowed by the default with no limit and no approval; add a "tools" entry for it with "ask" or a limit, or deny it` });
        }
        continue;
      }
      if (guarded(entry.rule) || allToolsLimited) continue;
      out.push({
        path: entry.path,
        target: 'key',
        message: `${formatPath(entry.path)}: the server marks ${JSON.stringify(tool.name)} destructive, and this entry allows it with no limit and no approval; add "ask", a limit or rate_limit, or deny it`,
      });
    }
    return out;
  },
};

function guarded(rule: unknown): boolean {
  if (typeof rule === 'string') return rule !== 'allow';
  if (!isObject(rule)) return true;
  if (rule.action !== undefined && rule.action !== 'allow') return true;
  if ((Array.isArray(rule.limits) && rule.limits.length > 0) || rule.rate_limit !== undefined) return true;
  return Array.isArray(rule.rules) && rule.rules.some((r) => isObject(r) && (r.action === 'ask' || r.action === 'deny' || r.action === 'hide' || (Array.isArray(r.limits) && r.limits.length > 0)));
}

export const SERVER_RULES: readonly ServerRule[] = [unknownTool, unmatchedGlob, unknownArgument, unguardedDestructiveTool];
