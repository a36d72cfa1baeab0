import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from 'yaml';
import type { PolicyProblem } from '../problem.js';
import type { PolicySource } from './source.js';
import type { PolicyPath, SourceRange } from './source-range.js';

/** Aliases may not expand past this many nodes (a "billion laughs" file is not a policy). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML 1.2 text with positions (loaded lazily by source.ts). Duplicate keys are errors,
 * as in JSON; YAML warnings (unknown tags...) are errors too, since a policy must mean exactly
 * one thing.
 */
export function parseYamlSource(text: string, file: string): PolicySource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const range = (start: number, end: number): SourceRange => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const problems: PolicyProblem[] = [...doc.errors, ...doc.warnings].map((e: YAMLError) => {
    const duplicate = e.code === 'DUPLICATE_KEY';
    // Yaml reports a duplicate at its first character: widen to the key as written.
    const end = duplicate ? e.pos[0] + (/^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*?)(?=\s*:)/.exec(text.slice(e.pos[0]))?.[0].length ?? 1) : e.pos[1];
    return {
      file,
      ...range(e.pos[0], end),
      severity: 'error',
      path: '',
      ruleId: duplicate ? 'duplicate-key' : 'syntax',
      message: duplicate
        ? `duplicate key ${quoteKey(text.slice(e.pos[0], end).trim())}; readers disagree on which one wins, so keep one`
        : `invalid YAML: ${firstLine(e.message)}`,
    };
  });
  const fatal = problems.some((p) => p.ruleId === 'syntax');
  let value: unknown;
  if (!fatal) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
    } catch (error) {
      problems.push({ file, ...range(0, 0), severity: 'error', path: '', ruleId: 'syntax', message: `invalid YAML: ${firstLine((error as Error).message)}` });
    }
  }
  const rootRange = (): SourceRange => (doc.contents?.range ? range(doc.contents.range[0], doc.contents.range[1]) : range(0, 0));
  const locate = (p: PolicyPath, target: 'key' | 'value' = 'key'): SourceRange => {
    let node: unknown = doc.contents;
    let found = rootRange();
    for (let i = 0; i < p.length; i++) {
      const segment = p[i]!;
      const last = i === p.length - 1;
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const valueNode = (isAlias(pair.value) ? pair.value.resolve(doc) : pair.value) as Node | null;
        const use = last && target === 'key' ? keyNode : (valueNode ?? keyNode);
        if (use?.range) found = range(use.range[0], use.range[1]);
        node = valueNode;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        const item = node.items[segment] as Node;
        if (item?.range) found = range(item.range[0], item.range[1]);
        node = item;
      } else {
        break;
      }
    }
    return found;
  };
  return { file, format: 'yaml', value: fatal ? undefined : value, problems, locate };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function quoteKey(key: string): string {
  return /^["']/.test(key) ? key : JSON.stringify(key);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

