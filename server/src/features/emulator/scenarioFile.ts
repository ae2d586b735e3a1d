import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EmulatorCommandResult, EmulatorScenarioResult, RuntimeName } from '../../protocol';
import type { ScenarioCommand } from '../../scenario/command';
import { commandLine, guessRuntime } from '../../scenario/dialect';
import { commandFromWords, commandsOf, parseScript, ScenarioStep, ScenarioSyntaxError } from '../../scenario/parse';
import { runScenario } from '../../scenario/runner';

/** One command on the server's session of a runtime, paths relative to `baseDir`; its answer. */
export type RunOnSession = (command: ScenarioCommand, runtime: RuntimeName, baseDir: string) => Promise<EmulatorCommandResult>;

/** How the target is patched, once indexed: a Xen or a Linux image decides the runtime, the bundled sample does not. */
export type TargetFlavour = 'xen' | 'linux' | 'either' | undefined;

const program = 'livepatch-lens emu';

function readSteps(file: string): ScenarioStep[] | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return `${program}: cannot read the script ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  try {
    return parseScript(text, file);
  } catch (error) {
    if (error instanceof ScenarioSyntaxError) return `${program}: ${error.message}`;
    throw error;
  }
}

/**
 * A scenario file in the editor's session, as `livepatch-lens emu --echo --script FILE` runs it
 * (scenario/runner.ts prints the same transcript): the runtime the target or the commands say,
 * a fresh boot of that session first (the other runtime's session is left alone), then each
 * command, paths relative to the file. The session stays as the scenario leaves it.
 */
export async function runScenarioFile(file: string, flavour: TargetFlavour, run: RunOnSession): Promise<EmulatorScenarioResult> {
  const shown = `${program} --echo --script ${file}`;
  const steps = readSteps(file);
  if (typeof steps === 'string') {
    return { commandLine: shown, runtime: flavour === 'linux' ? 'linux' : 'xen', exitCode: 2, stdout: '', stderr: `${steps}\n`, console: [], transcript: `${steps}\n`, steps: [] };
  }
  const runtime: RuntimeName = flavour === 'xen' || flavour === 'linux' ? flavour : guessRuntime(commandsOf(steps));
  const baseDir = path.dirname(file);
  const answers: EmulatorCommandResult[] = [];
  const output = { stdout: '', stderr: '', transcript: '' };
  const write = (stream: 'stdout' | 'stderr') => (text: string) => {
    output[stream] += `${text}\n`;
    output.transcript += `${text}\n`;
  };
  const finish = (exitCode: number): EmulatorScenarioResult => ({ commandLine: shown, runtime, exitCode, ...output, console: answers.flatMap((a) => a.console), steps: answers });
  const reboot = await run(commandFromWords(['reset'], file), runtime, baseDir);
  answers.push(reboot);
  if (reboot.exitCode !== 0) {
    write('stderr')(reboot.stderr.replace(/\n$/, ''));
    return finish(reboot.exitCode);
  }
  const machine = {
    run: async (command: ScenarioCommand) => {
      const answer = await run(command, runtime, baseDir);
      answers.push(answer);
      return { command: command.text, stdout: answer.stdout, stderr: answer.stderr, exitCode: answer.exitCode, log: answer.console, ...(answer.call ? { call: answer.call } : {}) };
    },
  };
  return finish(await runScenario(steps, machine, { out: write('stdout'), err: write('stderr') }, { echo: true, display: (command) => commandLine(command, runtime), program }));
}
