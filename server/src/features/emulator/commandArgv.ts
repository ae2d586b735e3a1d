import type { EmulatorCommand, EmulatorCommandArgs, RuntimeName } from '../../protocol';
import type { ScenarioCommand } from '../../scenario/command';
import { guessRuntime, runtimeNames } from '../../scenario/dialect';
import { commandFromWords, isComment, parseScript, ScenarioSyntaxError } from '../../scenario/parse';

/** A command's arguments are wrong: the answer says so (exit 2), the session is untouched. */
export class BadArguments extends Error {}

function text(args: EmulatorCommandArgs, key: 'name' | 'path' | 'function' | 'line'): string {
  const value = args[key];
  if (typeof value !== 'string' || !value) throw new BadArguments(`'${key}' must be a non-empty string`);
  return value;
}

const nodeps = (args: EmulatorCommandArgs): string[] => (args.nodeps === true ? ['--nodeps'] : []);

function words(args: EmulatorCommandArgs, key: 'args' | 'params', what: string): string[] {
  const values = args[key] ?? [];
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'number' && typeof v !== 'string')) throw new BadArguments(`'${key}' must be an array of ${what}`);
  return values.map(String);
}

/** The one scenario line of `livepatch.emulator.run`, parsed as a script line is. */
function scenarioLine(args: EmulatorCommandArgs): ScenarioCommand {
  const line = text(args, 'line');
  if (line.includes('\n')) throw new BadArguments("'line' must be one line");
  let steps;
  try {
    steps = parseScript(line, 'line');
  } catch (error) {
    if (error instanceof ScenarioSyntaxError) throw new BadArguments(error.message);
    throw error;
  }
  const [command] = steps;
  if (!command || isComment(command)) throw new BadArguments("'line' has no command");
  return { ...command, expect: 0 };
}

const fromWords = (argv: string[]): ScenarioCommand => commandFromWords(argv, 'lsp');

/** The scenario command an LSP command stands for, and the runtime it belongs to (undefined: either). */
/** The commands that stand for one session command; a scenario file is many (scenarioFile.ts). */
export type SingleEmulatorCommand = Exclude<EmulatorCommand, 'scenario'>;

const commands: Record<SingleEmulatorCommand, (args: EmulatorCommandArgs) => { command: ScenarioCommand; runtime?: RuntimeName }> = {
  upload: (a) => ({ command: fromWords(['upload', text(a, 'name'), text(a, 'path')]), runtime: 'xen' }),
  apply: (a) => ({ command: fromWords(['apply', text(a, 'name'), ...nodeps(a)]), runtime: 'xen' }),
  revert: (a) => ({ command: fromWords(['revert', text(a, 'name')]), runtime: 'xen' }),
  replace: (a) => ({ command: fromWords(['replace', text(a, 'name')]), runtime: 'xen' }),
  unload: (a) => ({ command: fromWords(['unload', text(a, 'name')]), runtime: 'xen' }),
  load: (a) => ({ command: fromWords(['load', text(a, 'path'), ...nodeps(a)]), runtime: 'xen' }),
  list: () => ({ command: fromWords(['list']), runtime: 'xen' }),
  insmod: (a) => ({ command: fromWords(['insmod', text(a, 'path'), ...words(a, 'params', 'name=value strings')]), runtime: 'linux' }),
  rmmod: (a) => ({ command: fromWords(['rmmod', text(a, 'name')]), runtime: 'linux' }),
  run: (a) => {
    const command = scenarioLine(a);
    return { command, ...(guessRuntime([command]) === 'linux' ? { runtime: 'linux' } : {}) };
  },
  call: (a) => ({ command: fromWords(['call', text(a, 'function'), ...words(a, 'args', 'integers and str:TEXT strings')]) }),
  dump: () => ({ command: fromWords(['dump']) }),
  reset: () => ({ command: fromWords(['reset']) }),
};

/**
 * The session command an LSP command stands for and the runtime it runs on: the command's own
 * (Xen's tool, insmod), else the one asked for, else the last one used.
 */
export function commandOf(verb: SingleEmulatorCommand, args: EmulatorCommandArgs, last: RuntimeName): { command: ScenarioCommand; runtime: RuntimeName } {
  if (args.runtime !== undefined && !runtimeNames.includes(args.runtime)) throw new BadArguments(`'runtime' must be one of ${runtimeNames.join(', ')}`);
  const { command, runtime } = commands[verb](args);
  return { command, runtime: runtime ?? args.runtime ?? last };
}
