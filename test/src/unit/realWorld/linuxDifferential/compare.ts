import type { ScenarioCommand } from '../../../../../server/out/scenario/command';
import type { Normalised } from './normalise';
import { collapseRepeats, timerLine } from './timing';

/** How one command of a scenario came out on the two machines. */
export interface Verdict {
  command: string;
  /** What differs (`exit status 0 / 1`, a log line only one has), empty when equal. */
  differences: string[];
}

const synchronous = (log: readonly string[]) => collapseRepeats(log.filter((line) => !timerLine.test(line)));
const timerKinds = (log: readonly string[]) => [...new Set(log.filter((line) => timerLine.test(line)))].sort();

/**
 * Compares two normalised runs of the same commands, per command: its exit status, stdout,
 * stderr and its log without timer lines (repeats collapsed), and in a `sleep` the kinds of timer
 * lines (timing.ts).
 */
export function compareRuns(commands: readonly ScenarioCommand[], emulator: readonly Normalised[], real: readonly Normalised[]): Verdict[] {
  return commands.map((command, i): Verdict => {
    const [a, b] = [emulator.at(i), real.at(i)];
    if (!a || !b) return { command: command.text, differences: [`not run on the ${a ? 'real kernel' : 'emulator'}: its scenario stopped at an unexpected exit status before`] };
    const differences: string[] = [];
    const field = (name: string, x: unknown, y: unknown) => {
      if (JSON.stringify(x) !== JSON.stringify(y)) differences.push(`${name}: emulator ${JSON.stringify(x)}, real ${JSON.stringify(y)}`);
    };
    field('exit status', a.exitCode, b.exitCode);
    field('stdout', a.stdout, b.stdout);
    field('stderr', a.stderr, b.stderr);
    field('log', synchronous(a.log), synchronous(b.log));
    if (command.argv[0] === 'sleep') field('timer lines', timerKinds(a.log), timerKinds(b.log));
    return { command: command.text, differences };
  });
}
