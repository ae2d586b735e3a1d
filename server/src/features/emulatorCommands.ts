import { Connection, ExecuteCommandParams } from 'vscode-languageserver';
import { unbootedState } from '../emulator/state';
import { EmulatorCommandArgs, emulatorCommands, EmulatorCommandResult, emulatorVerbOf, EmulatorState, emulatorStateNotification, RuntimeName } from '../protocol';
import type { ScenarioCommand } from '../scenario/command';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { BadArguments, commandOf } from './emulator/commandArgv';
import type { EmulatorStates } from './emulator/emulatorStates';
import { EmulatorWorker } from './emulator/emulatorWorkerClient';
import { runScenarioFile } from './emulator/scenarioFile';
import { guarded } from './guard';
import { TargetService } from './targetService';

/** What the server advertises in `executeCommandProvider.commands`. */
export const emulatorCommandIds: string[] = Object.values(emulatorCommands);

/**
 * The emulator's commands as `workspace/executeCommand`: one session per runtime (Xen, Linux)
 * per server, in a worker thread (emulator/emulatorWorkerClient.ts), booted on the target the
 * server uses when the first command comes, and a `livepatch/emulatorState` snapshot of the
 * runtime a command ran on after every command (each command of a scenario file too). A guest
 * fault or a hypervisor panic is an answer (exit status, console), never a dead server.
 */
export function registerEmulatorCommands(connection: Connection, target: TargetService, lastState: EmulatorStates): EmulatorWorker {
  const emulator = new EmulatorWorker();
  let sessionTarget: string | undefined;
  // call, dump and reset go to the runtime used last unless they name one.
  let lastRuntime: RuntimeName = 'xen';
  const answer = (result: EmulatorCommandResult, state: EmulatorState): EmulatorCommandResult => {
    // Per runtime, the state after its last command: what a command refused before it ran leaves unchanged.
    lastState.set(state);
    // Sent before the answer, so a client sees the new state by the time the command returns.
    void connection.sendNotification(emulatorStateNotification, state);
    return result;
  };

  /** One command on a runtime's session, booted on `booted` first if need be. */
  const onSession = async (booted: string, command: ScenarioCommand, runtime: RuntimeName, baseDir?: string): Promise<EmulatorCommandResult> => {
    lastRuntime = runtime;
    const outcome = await emulator.run(booted, command.argv, {
      runtime,
      text: command.text,
      ...(command.redirect ? { redirect: command.redirect } : {}),
      ...(baseDir ? { baseDir } : {}),
    });
    if ('error' in outcome) throw new Error(outcome.error);
    if ('lost' in outcome)
      return answer(
        {
          commandLine: command.text,
          exitCode: 1,
          stdout: '',
          stderr: `${outcome.lost}: the next command boots a fresh ${runtime === 'xen' ? 'hypervisor' : 'kernel'}.\n`,
          console: [],
        },
        unbootedState(runtime, booted),
      );
    return answer(outcome.result, outcome.state);
  };

  const execute = async (params: ExecuteCommandParams): Promise<EmulatorCommandResult | null> => {
    const verb = emulatorVerbOf.get(params.command);
    if (!verb) return null;
    const state = target.state;
    sessionTarget ??= 'path' in state ? state.path : bundledSampleTarget();
    if (!sessionTarget) return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${bundledSampleTargetHint}\n`, console: [] };
    const booted = sessionTarget;
    const args = (params.arguments?.[0] ?? {}) as EmulatorCommandArgs;
    if (verb === 'scenario') {
      if (typeof args.path !== 'string' || !args.path)
        return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${emulatorCommands[verb]}: 'path' must be a non-empty string\n`, console: [] };
      const flavour = state.state === 'ready' ? state.index.flavour.flavour : undefined;
      return runScenarioFile(args.path, flavour, (command, runtime, baseDir) => onSession(booted, command, runtime, baseDir));
    }
    let planned;
    try {
      planned = commandOf(verb, args, lastRuntime);
    } catch (error) {
      if (!(error instanceof BadArguments)) throw error;
      const runtime = args.runtime === 'linux' ? 'linux' : lastRuntime;
      return answer(
        { commandLine: verb, exitCode: 2, stdout: '', stderr: `${emulatorCommands[verb]}: ${error.message}\n`, console: [] },
        lastState.get(runtime) ?? unbootedState(runtime, sessionTarget),
      );
    }
    return onSession(booted, planned.command, planned.runtime);
  };

  // One command at a time, a scenario's included: nothing runs between two of its commands.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = (params: ExecuteCommandParams): Promise<EmulatorCommandResult | null> => {
    const turn = queue.then(() => execute(params));
    queue = turn.catch(() => undefined);
    return turn;
  };

  connection.onExecuteCommand(guarded(connection, 'emulator command', null, inTurn));
  return emulator;
}
