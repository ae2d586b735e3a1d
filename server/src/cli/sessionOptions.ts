import { RuntimeName, runtimeNames } from '../scenario/dialect';
import { CliError } from './command';

export interface SessionOptions {
  values: Map<string, string[]>;
  flags: Set<string>;
  /** What is left: the commands, separated by `--`. */
  words: string[];
}

/**
 * Takes a session command's own options out wherever they stand (`cat /proc/x --json` works),
 * as `--name value` or `--name=value`; every other word, the commands' own flags (`dmesg -c`)
 * included, belongs to the commands.
 */
export function splitSessionOptions(args: string[], spec: { values: ReadonlySet<string>; flags: ReadonlySet<string> }, usage: string): SessionOptions {
  const options: SessionOptions = { values: new Map(), flags: new Set(), words: [] };
  for (let i = 0; i < args.length; i++) {
    const eq = args[i].startsWith('--') ? args[i].indexOf('=') : -1;
    const [name, inline] = eq > 0 ? [args[i].slice(0, eq), args[i].slice(eq + 1)] : [args[i], undefined];
    if (spec.flags.has(name) && inline === undefined) options.flags.add(name);
    else if (spec.values.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
      options.values.set(name, [...(options.values.get(name) ?? []), value]);
    } else options.words.push(args[i]);
  }
  return options;
}

/** A session's --runtime value, checked. */
export function runtimeOption(given: string): RuntimeName {
  if (!(runtimeNames as readonly string[]).includes(given)) throw new CliError(`--runtime expects ${runtimeNames.join(' or ')}, got '${given}'`);
  return given as RuntimeName;
}
