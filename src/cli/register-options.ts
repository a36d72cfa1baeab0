import { type Command, InvalidArgumentError, Option } from 'commander';
import { flagsOf, OPTIONS, type OptionId, type OptionSpec, OptionValueError } from './options.js';

/** Adds the options `ids` of the one table (options.ts) to a commander command, help text included. */
export function addOptions(command: Command, ids: readonly OptionId[]): Command {
  for (const id of ids) command.addOption(toCommander(OPTIONS[id]));
  return command;
}

function toCommander(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.help);
  const { parse } = spec;
  // A variadic option given a parser must collect its values itself, as a repeatable one does.
  const repeatable = spec.repeatable === true || flagsOf(spec).variadic;
  if (spec.choices) option.choices(spec.choices);
  if (parse || repeatable) {
    option.argParser((value: string, previous: unknown) => {
      let parsed: unknown;
      try {
        parsed = parse ? parse(value) : value;
      } catch (error) {
        if (error instanceof OptionValueError) throw new InvalidArgumentError(error.message);
        throw error;
      }
      // Commander passes the default as `previous` the first time; a repeatable option starts empty.
      return repeatable ? [...(Array.isArray(previous) ? previous : []), parsed] : parsed;
    });
  }
  if (spec.default !== undefined) option.default(spec.default, spec.defaultHelp);
  return option;
}
