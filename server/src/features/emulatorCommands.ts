import { Connection, ExecuteCommandParams } from 'vscode-languageserver';
import { unbootedState } from '../emulator/state';
import { EmulatorCommandArgs, emulatorCommands, EmulatorCommandResult, emulatorVerbOf, EmulatorState, emulatorStateNotification, RuntimeName } from '../protocol';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { BadArguments, commandOf } from './emulator/commandArgv';
import type { EmulatorStates } from './emulator/emulatorStates';
import { EmulatorWorker } from './emulator/emulatorWorkerClient';
import { guarded } from './guard';
import { TargetService } from './targetService';

/** What the server advertises in `executeCommandProvider.commands`. */
export const emulatorCommandIds: string[] = Object.values(emulatorCommands);

/**
 * The emulator's commands as `workspace/executeCommand`: one session per runtime (Xen, Linux)
 * per server, in a worker thread (emulator/emulatorWorkerClient.ts), booted on the target the
 * server uses when the first command comes, and a `livepatch/emulatorState` snapshot of the
 * runtime a command ran on after every command. A guest fault or a hypervisor panic is an
 * answer (exit status, console), never a dead server.
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

  const execute = async (params: ExecuteCommandParams): Promise<EmulatorCommandResult | null> => {
    const verb = emulatorVerbOf.get(params.command);
    if (!verb) return null;
    const state = target.state;
    sessionTarget ??= 'path' in state ? state.path : bundledSampleTarget();
    if (!sessionTarget) return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${bundledSampleTargetHint}\n`, console: [] };
    const args = (params.arguments?.[0] ?? {}) as EmulatorCommandArgs;
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
    const { command, runtime } = planned;
    lastRuntime = runtime;
    const outcome = await emulator.run(sessionTarget, command.argv, { runtime, text: command.text, ...(command.redirect ? { redirect: command.redirect } : {}) });
    if ('error' in outcome) throw new Error(outcome.error);
    if ('lost' in outcome)
      return answer(
        { commandLine: verb, exitCode: 1, stdout: '', stderr: `${outcome.lost}: the next command boots a fresh ${runtime === 'xen' ? 'hypervisor' : 'kernel'}.\n`, console: [] },
        unbootedState(runtime, sessionTarget),
      );
    return answer(outcome.result, outcome.state);
  };

  connection.onExecuteCommand(guarded(connection, 'emulator command', null, execute));
  return emulator;
}
