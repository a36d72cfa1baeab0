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
    return { test: (text: string) => re.matcher(text).find(), toString: () => `re2:${pattern}` };
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
