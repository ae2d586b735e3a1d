import type { ScenarioCommand } from './command';
import { isComment, ScenarioStep } from './parse';
import type { CallDetails, CommandResult } from './result';

/** Anything that runs scenario commands one by one and answers at once: the emulator's session. */
export interface ScenarioMachine {
  run(command: ScenarioCommand): CommandResult;
}

/** One that answers later: a real machine in QEMU, over its console. */
export interface AsyncScenarioMachine {
  run(command: ScenarioCommand): Promise<CommandResult>;
}

/** Where the runner writes: one line a call, no trailing newline (the CLI's io). */
export interface ScenarioOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface ScenarioRunOptions {
  /** One JSON object per command and line instead of the text. */
  json?: boolean;
  /** `$ COMMAND` before each command's output, `(exit status N)` after a failing one, and the script's comments. */
  echo?: boolean;
  /** The command as the machine's user types it (dialect.ts commandLine). */
  display: (command: ScenarioCommand) => string;
  /** The JSON key of the log lines: `console` (the hypervisor console, as `emu` always had it) or `log`. */
  logKey?: 'console' | 'log';
  /** Who reports an unmet expectation: `livepatch-lens emu`. */
  program: string;
  /** The emulator's scheduler seed, in every JSON line: any one result replays by it alone. */
  seed?: number;
}

/** One `--json` line: the command's words and result, with a call's details beside them. */
export type ScenarioJsonLine = { command: string[]; redirect?: { path: string; append: boolean }; stdout: string; stderr: string; exitCode: number; seed?: number } & {
  [log in 'console' | 'log']?: string[];
} & Partial<CallDetails>;

/**
 * Runs the commands in order on one machine and prints each result as it comes. Stops at the
 * first command whose exit status is not the one expected (0 unless `expect N`); the scenario's
 * status is then that command's (1 when it succeeded against an expected failure), else 0.
 * A machine that answers at once gets the status at once; one that answers later, a promise of it.
 */
export function runScenario(steps: readonly ScenarioStep[], machine: ScenarioMachine, io: ScenarioOutput, options: ScenarioRunOptions): number;
export function runScenario(steps: readonly ScenarioStep[], machine: AsyncScenarioMachine, io: ScenarioOutput, options: ScenarioRunOptions): Promise<number>;
export function runScenario(
  steps: readonly ScenarioStep[],
  machine: ScenarioMachine | AsyncScenarioMachine,
  io: ScenarioOutput,
  options: ScenarioRunOptions,
): number | Promise<number> {
  const echo = options.echo === true && options.json !== true;
  const from = (first: number): number | Promise<number> => {
    for (let i = first; i < steps.length; i++) {
      const step = steps[i];
      if (isComment(step)) {
        if (echo) io.out(step.comment);
        continue;
      }
      const result = machine.run(step);
      if (result instanceof Promise) return result.then((answer) => judge(step, answer) ?? from(i + 1));
      const status = judge(step, result);
      if (status !== undefined) return status;
    }
    return 0;
  };
  /** Prints one result; the scenario's status if it ends here. */
  const judge = (step: ScenarioCommand, result: CommandResult): number | undefined => {
    if (options.json) io.out(JSON.stringify(jsonLine(step, result, options.logKey ?? 'log', options.seed)));
    else printText(io, options.display(step), result, echo);
    if (result.exitCode === step.expect) return undefined;
    if (step.expect !== 0) io.err(`${options.program}: '${options.display(step)}' exited ${result.exitCode}, expected ${step.expect}`);
    return result.exitCode === 0 ? 1 : result.exitCode;
  };
  return from(0);
}

function printText(io: ScenarioOutput, shown: string, result: CommandResult, echo: boolean): void {
  const text = (s: string) => s.replace(/\n$/, '');
  if (echo) io.out(`$ ${shown}`);
  if (result.stdout) io.out(text(result.stdout));
  if (result.stderr) io.err(text(result.stderr));
  if (result.log.length) io.out(result.log.join('\n'));
  if (echo && result.exitCode !== 0) io.out(`(exit status ${result.exitCode})`);
}

function jsonLine(command: ScenarioCommand, result: CommandResult, logKey: 'console' | 'log', seed: number | undefined): ScenarioJsonLine {
  return {
    command: command.argv,
    ...(command.redirect ? { redirect: command.redirect } : {}),
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    ...(seed !== undefined ? { seed } : {}),
    [logKey]: result.log,
    ...result.call,
  };
}
