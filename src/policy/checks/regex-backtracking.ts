import { ANY, type CharSet, complement, intersects, normalise } from '../engine/char-set.js';

/**
 * Finds regular expressions that can backtrack exponentially in a backtracking engine such as
 * V8's (`(a+)+`, `(a|a)*`, `(\w+\s?)*`): a JSON Schema `pattern` like that lets one call with a
 * long argument stall mcp-guard, and with it every message of the session.
 *
 * Method: the regex's position (Glushkov) automaton has exponential ambiguity exactly when some
 * state can return to itself along two different paths reading the same input. In the product
 * of the automaton with itself that is a strongly connected component holding a diagonal state
 * (q,q) and either an off-diagonal state or a step where the two copies take different parallel
 * edges. Anchors, lookarounds and backreferences are read as matching the empty string, and
 * `\p{...}` as any character, so the check can miss a case but does not invent one from them.
 */

type RegexNode =
  | { t: 'char'; set: CharSet }
  | { t: 'empty' }
  | { t: 'seq'; items: RegexNode[] }
  | { t: 'alt'; alts: RegexNode[] }
  | { t: 'rep'; node: RegexNode; min: number; max: number };

/** Automata bigger than this are not analysed (it would cost more than it is worth at lint time). */
const MAX_POSITIONS = 400;
/** Product automata bigger than this are not analysed either. */
const MAX_PRODUCT_STATES = 20_000;
const MAX_PRODUCT_EDGES = 50_000;
/** `x{2,50}` is analysed as `x{2,}`: the same backtracking shape, far fewer states. */
const MAX_FINITE_SPREAD = 10;

/** True when `pattern` (a JavaScript regex source, `u` flag) can backtrack exponentially; false when it cannot or could not be analysed. */
export function hasExponentialBacktracking(pattern: string): boolean {
  let ast: RegexNode;
  try {
    ast = new RegexParser(pattern).parse();
  } catch {
    return false;
  }
  const nfa = buildAutomaton(ast);
  return nfa !== undefined && isExponentiallyAmbiguous(nfa);
}

// ---- character sets -------------------------------------------------------------------------

const cp = (c: string) => c.codePointAt(0)!;
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = normalise([[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]]);
const SPACE: CharSet = normalise([
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a],
  [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
]);
const DOT: CharSet = complement(normalise([[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]));

// ---- parser (the JavaScript syntax `new RegExp(p, 'u')` accepts; p is known to compile) ------

class RegexParser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.i < this.src.length) throw new Error('unbalanced )');
    return node;
  }

  private alternation(): RegexNode {
    const alts = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  private quantified(atom: RegexNode): RegexNode {
    for (;;) {
      const c = this.src[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return atom;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return atom;
      this.i++;
      if (this.src[this.i] === '?') this.i++; // lazy: same paths, other order
      atom = { t: 'rep', node: atom, min, max };
    }
  }

  private atom(): RegexNode {
    const c = this.src[this.i]!;
    if (c === '(') {
      this.i++;
      let lookaround = false;
      if (this.src.startsWith('?:', this.i)) this.i += 2;
      else if (/^\?<?[=!]/.test(this.src.slice(this.i, this.i + 3))) {
        lookaround = true;
        this.i += this.src[this.i + 1] === '<' ? 3 : 2;
      } else if (this.src.startsWith('?<', this.i)) this.i = this.src.indexOf('>', this.i) + 1;
      const inner = this.alternation();
      if (this.src[this.i] !== ')') throw new Error('unclosed group');
      this.i++;
      return lookaround ? { t: 'empty' } : inner;
    }
    if (c === '[') return { t: 'char', set: this.charClass() };
    if (c === '.') {
      this.i++;
      return { t: 'char', set: DOT };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'empty' };
    }
    if (c === '\\') return this.escape(false);
    const code = cp(this.src.slice(this.i));
    this.i += code > 0xffff ? 2 : 1;
    return { t: 'char', set: [[code, code]] };
  }

  /** An escape; inside a class `\b` is backspace and assertions make no sense. */
  private escape(inClass: boolean): RegexNode {
    const e = this.src[this.i + 1]!;
    this.i += 2;
    const set = (s: CharSet): RegexNode => ({ t: 'char', set: s });
    switch (e) {
      case 'd': return set(DIGIT);
      case 'D': return set(complement(DIGIT));
      case 'w': return set(WORD);
      case 'W': return set(complement(WORD));
      case 's': return set(SPACE);
      case 'S': return set(complement(SPACE));
      case 'b': return inClass ? set([[8, 8]]) : { t: 'empty' };
      case 'B': return { t: 'empty' };
      case 'n': return set([[10, 10]]);
      case 'r': return set([[13, 13]]);
      case 't': return set([[9, 9]]);
      case 'v': return set([[11, 11]]);
      case 'f': return set([[12, 12]]);
      case '0': return set([[0, 0]]);
      case 'c': {
        const code = this.src.charCodeAt(this.i++) % 32;
        return set([[code, code]]);
      }
      case 'x': {
        const code = parseInt(this.src.slice(this.i, this.i + 2), 16);
        this.i += 2;
        return set([[code, code]]);
      }
      case 'u': {
        let code: number;
        if (this.src[this.i] === '{') {
          const end = this.src.indexOf('}', this.i);
          code = parseInt(this.src.slice(this.i + 1, end), 16);
          this.i = end + 1;
        } else {
          code = parseInt(this.src.slice(this.i, this.i + 4), 16);
          this.i += 4;
        }
        return set([[code, code]]);
      }
      case 'p':
      case 'P':
        this.i = this.src.indexOf('}', this.i) + 1;
        return set(ANY);
      case 'k':
        this.i = this.src.indexOf('>', this.i) + 1;
        return { t: 'empty' };
      default:
        if (/[1-9]/.test(e)) {
          while (/\d/.test(this.src[this.i] ?? '')) this.i++;
          return { t: 'empty' };
        }
        return set([[cp(e), cp(e)]]);
    }
  }

  private charClass(): CharSet {
    this.i++;
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const ranges: Array<[number, number]> = [];
    const single = (): CharSet => {
      if (this.src[this.i] === '\\') {
        const node = this.escape(true);
        return node.t === 'char' ? node.set : [];
      }
      const code = cp(this.src.slice(this.i));
      this.i += code > 0xffff ? 2 : 1;
      return [[code, code]];
    };
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const from = single();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && from.length === 1 && from[0]![0] === from[0]![1]) {
        this.i++;
        const to = single();
        if (to.length === 1 && to[0]![0] === to[0]![1]) {
          ranges.push([from[0]![0], to[0]![0]]);
          continue;
        }
        ranges.push([cp('-'), cp('-')], ...to.map(([a, b]) => [a, b] as [number, number]));
      }
      ranges.push(...from.map(([a, b]) => [a, b] as [number, number]));
    }
    this.i++;
    const set = normalise(ranges);
    return negate ? complement(set) : set;
  }
}

// ---- position automaton with edge multiplicities --------------------------------------------

interface Automaton {
  /** Character set of each position; position 0 is the start state. */
  sets: CharSet[];
  /** follow[p] maps a next position to how many distinct ways lead there from p. */
  follow: Array<Map<number, number>>;
}

interface Fragment {
  nullable: boolean;
  first: Map<number, number>;
  last: Set<number>;
}

function addCount(target: Map<number, number>, from: Map<number, number>, times = 1): void {
  for (const [q, n] of from) target.set(q, (target.get(q) ?? 0) + n * times);
}

function buildAutomaton(ast: RegexNode): Automaton | undefined {
  const sets: CharSet[] = [ANY];
  const follow: Array<Map<number, number>> = [new Map()];
  const link = (from: Set<number>, to: Map<number, number>) => {
    for (const p of from) addCount(follow[p]!, to);
  };
  const build = (node: RegexNode): Fragment => {
    if (sets.length > MAX_POSITIONS) throw new RangeError('too large');
    switch (node.t) {
      case 'char': {
        const p = sets.length;
        sets.push(node.set);
        follow.push(new Map());
        return { nullable: false, first: new Map([[p, 1]]), last: new Set([p]) };
      }
      case 'empty':
        return { nullable: true, first: new Map(), last: new Set() };
      case 'seq':
        return node.items.map(build).reduce(concat, { nullable: true, first: new Map(), last: new Set() });
      case 'alt': {
        const parts = node.alts.map(build);
        const first = new Map<number, number>();
        for (const part of parts) addCount(first, part.first);
        return { nullable: parts.some((p) => p.nullable), first, last: new Set(parts.flatMap((p) => [...p.last])) };
      }
      case 'rep': {
        const max = node.max - node.min > MAX_FINITE_SPREAD ? Infinity : node.max;
        let result: Fragment = { nullable: true, first: new Map(), last: new Set() };
        for (let k = 0; k < node.min; k++) result = concat(result, build(node.node));
        if (max === Infinity) {
          const body = build(node.node);
          link(body.last, body.first);
          result = concat(result, { ...body, nullable: true });
        } else if (max > node.min) {
          // x{0,3} is (x(x(x)?)?)? — not x?x?x?, which would add ambiguity the engine does not have.
          let tail: Fragment = { nullable: true, first: new Map(), last: new Set() };
          for (let k = node.min; k < max; k++) tail = { ...concat(build(node.node), tail), nullable: true };
          result = concat(result, tail);
        }
        return result;
      }
    }
  };
  function concat(a: Fragment, b: Fragment): Fragment {
    link(a.last, b.first);
    const first = new Map(a.first);
    if (a.nullable) addCount(first, b.first);
    const last = new Set(b.last);
    if (b.nullable) for (const p of a.last) last.add(p);
    return { nullable: a.nullable && b.nullable, first, last };
  }
  try {
    const whole = build(ast);
    follow[0] = whole.first;
    return { sets, follow };
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

// ---- ambiguity in the product automaton -----------------------------------------------------

function isExponentiallyAmbiguous({ sets, follow }: Automaton): boolean {
  const n = sets.length;
  const id = (p: number, q: number) => p * n + q;
  // Product states reachable from (start, start) reading the same input in both copies.
  const edges = new Map<number, Array<{ to: number; diverging: boolean }>>();
  const queue = [id(0, 0)];
  edges.set(id(0, 0), []);
  let budget = MAX_PRODUCT_EDGES;
  while (queue.length > 0) {
    const state = queue.pop()!;
    const p1 = Math.floor(state / n);
    const p2 = state % n;
    const out = edges.get(state)!;
    for (const [q1, m1] of follow[p1]!) {
      for (const [q2, m2] of follow[p2]!) {
        if (--budget < 0) return false;
        if (!intersects(sets[q1]!, sets[q2]!)) continue;
        const to = id(q1, q2);
        // Same source and target in both copies: the copies part ways only over a parallel edge.
        out.push({ to, diverging: p1 !== p2 || q1 !== q2 || (m1 > 1 && m2 > 1) });
        if (!edges.has(to)) {
          if (edges.size >= MAX_PRODUCT_STATES) return false;
          edges.set(to, []);
          queue.push(to);
        }
      }
    }
  }
  const component = stronglyConnectedComponents(edges);
  const hasDiagonal = new Set<number>();
  for (const [state, c] of component) if (Math.floor(state / n) === state % n) hasDiagonal.add(c);
  for (const [state, out] of edges) {
    const c = component.get(state)!;
    if (!hasDiagonal.has(c)) continue;
    for (const e of out) if (e.diverging && component.get(e.to) === c) return true;
  }
  return false;
}

/** Tarjan's algorithm, iterative (patterns can be long); maps each state to its component id. */
function stronglyConnectedComponents(edges: Map<number, Array<{ to: number }>>): Map<number, number> {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const component = new Map<number, number>();
  let counter = 0;
  let components = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ v: number; next: number }> = [{ v: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.v)!;
      if (frame.next < out.length) {
        const w = out[frame.next++]!.to;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      if (low.get(frame.v) === index.get(frame.v)) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.set(w, components);
        } while (w !== frame.v);
        components++;
      }
    }
  }
  return component;
}
