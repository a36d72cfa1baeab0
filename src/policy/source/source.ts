import path from 'node:path';
import type { PolicyProblem } from '../problem.js';
import { type JsonNode, JsonSyntaxError, parseJson } from './json-source.js';
import { formatPath, LineIndex, type PolicyPath, type SourceRange } from './source-range.js';

export type { PolicyPath, SourceRange } from './source-range.js';
export { formatPath } from './source-range.js';

/**
 * A policy file's text, parsed, with a way back from any path in the document to the line and
 * column it came from. Syntax errors and duplicate keys are already diagnosed in `problems`;
 * `value` is undefined when the text could not be parsed at all.
 */
export interface PolicySource {
  file: string;
  format: 'json' | 'yaml';
  value: unknown;
  problems: PolicyProblem[];
  /**
   * Where `path` is: the key of an object member (or its value with `target: 'value'`), the
   * value of an array item or the root. A path that does not exist points at its deepest
   * existing ancestor.
   */
  locate(path: PolicyPath, target?: 'key' | 'value'): SourceRange;
}

export type PolicyFormat = 'json' | 'yaml';

/** JSON by `.json`, YAML by `.yaml`/`.yml`; an extensionless rc file is JSON if it looks like JSON. */
export function formatOf(file: string, text: string): PolicyFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return /^\s*[{[]/.test(text.replace(/^\uFEFF/, '')) ? 'json' : 'yaml';
}

export interface ParseOptions {
  format?: PolicyFormat;
}

/** Parses a policy file's text. YAML support is loaded only for YAML files: `run` with a JSON policy never pays for it. */
export async function parsePolicySource(text: string, file: string, options: ParseOptions = {}): Promise<PolicySource> {
  const format = options.format ?? formatOf(file, text);
  return format === 'json' ? parseJsonSource(text, file) : (await import('./yaml-source.js')).parseYamlSource(text, file);
}

/** Parses JSON text, with positions. A leading byte-order mark is ignored, as Node's require() does. */
export function parseJsonSource(text: string, file: string): PolicySource {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const lines = new LineIndex(text);
  const body = bom ? text.slice(1) : text;
  const at = (start: number, end: number) => lines.range(start + bom, end + bom);
  try {
    const { value, root, duplicates } = parseJson(body);
    const locate = (p: PolicyPath, target: 'key' | 'value' = 'key'): SourceRange => {
      let node: JsonNode = root;
      let range = at(root.start, root.end);
      for (let i = 0; i < p.length; i++) {
        const segment = p[i]!;
        const last = i === p.length - 1;
        if (typeof segment === 'number' && node.items?.[segment]) {
          node = node.items[segment];
          range = at(node.start, node.end);
        } else if (typeof segment === 'string' && node.members?.has(segment)) {
          const member = node.members.get(segment)!;
          node = member.node;
          range = last && target === 'key' ? at(member.keyStart, member.keyEnd) : at(node.start, node.end);
        } else {
          break;
        }
      }
      return range;
    };
    const problems = duplicates.map((d): PolicyProblem => {
      const first = lines.position(d.firstKeyStart + bom);
      return {
        file,
        ...at(d.keyStart, d.keyEnd),
        severity: 'error',
        path: formatPath(d.path),
        ruleId: 'duplicate-key',
        message: `${formatPath(d.path)}: duplicate key ${JSON.stringify(d.path[d.path.length - 1])} (first at line ${first.line}, column ${first.column}); readers disagree on which one wins, so keep one`,
      };
    });
    return { file, format: 'json', value, problems, locate };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const range = at(error.start, error.end);
    const problem: PolicyProblem = { file, ...range, severity: 'error', path: '', ruleId: 'syntax', message: `invalid JSON: ${error.message}` };
    return { file, format: 'json', value: undefined, problems: [problem], locate: () => range };
  }
}
