import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';

/**
 * The `pattern` and `patternProperties` keywords of `args`/`when` schemas run on RE2 (re2js):
 * matching costs time linear in the argument, so no pattern can stall the relay, as
 * `^(.*?,){11}P` on a long argument did with JavaScript's backtracking RegExp (SPEC §4). A
 * pattern RE2 cannot run (backreferences, lookaround) fails to compile, and lint reports it.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    // test() asks only whether there is a match, so re2js can run its DFA: 1.5-3x faster than
    // matcher().find() on short arguments, ~15x on 100 KB of `^(a+)+$` (15 ms to 1 ms).
    return { test: (text: string) => re.test(text), toString: () => `re2:${pattern}` };
  },
  { code: 'linearRegExp' },
);

/** Why RE2 cannot run `pattern`, or undefined when it can. */
export function linearRegExpError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^error parsing regexp: /, '');
  }
}
