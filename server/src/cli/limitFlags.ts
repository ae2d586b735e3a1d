import { CliError } from './command';
import { configureLimits, LimitName, limitSpecs } from '../limits';

/**
 * `--limit NAME=VALUE`, accepted by every subcommand and taken out of its arguments before the
 * subcommand parses them: a CI job that meets a bound on a real input (a vmlinux with more
 * symbols, a patch with a longer line) raises it without a flag per subcommand.
 */
export function takeLimitFlags(args: string[]): string[] {
  const rest: string[] = [];
  const values: Partial<Record<LimitName, number>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg !== '--limit' && !arg.startsWith('--limit=')) {
      rest.push(arg);
      continue;
    }
    const setting = arg === '--limit' ? args[++i] : arg.slice('--limit='.length);
    const [name, value] = (setting ?? '').split('=', 2);
    if (!name || !(name in limitSpecs)) throw new CliError(`--limit: unknown limit '${name ?? ''}'; the limits are ${Object.keys(limitSpecs).join(', ')}`);
    const number = Number(value);
    if (!value || !Number.isSafeInteger(number) || number <= 0) throw new CliError(`--limit ${name}: '${value ?? ''}' is not a positive whole number`);
    values[name as LimitName] = number;
  }
  const applied = configureLimits(values);
  for (const [name, asked] of Object.entries(values)) {
    if (applied[name as LimitName] !== asked) throw new CliError(`--limit ${name}=${asked}: above its ceiling of ${limitSpecs[name as LimitName].ceiling}`);
  }
  return rest;
}

export function limitFlagsHelp(): string[] {
  const width = Math.max(...Object.keys(limitSpecs).map((n) => n.length));
  return Object.entries(limitSpecs).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.what}: default ${spec.default}, at most ${spec.ceiling}`);
}
