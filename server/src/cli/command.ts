import { parseArgs, ParseArgsConfig } from 'node:util';

/** Exit statuses shared by every subcommand, so CI pipelines can rely on them. */
export const enum ExitCode {
  Ok = 0,
  /** The command ran and found a problem: an error diagnostic, an unknown name, a guest fault. */
  Findings = 1,
  /** The command could not run: bad usage, an unreadable or malformed input file. */
  UsageOrIo = 2,
}

/** Raised by a subcommand for a usage or I/O error; the dispatcher prints it and exits 2. */
export class CliError extends Error {}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  name: string;
  /** One line for `livepatch-lens --help`. */
  summary: string;
  /** The full usage text for `livepatch-lens NAME --help`. */
  usage: string;
  run(args: string[], io: CliIo): ExitCode | Promise<ExitCode>;
}

/** Every subcommand's flags: node's parseArgs, with its complaint turned into a usage error. */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
