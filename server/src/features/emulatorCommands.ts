import { Connection, ExecuteCommandParams } from 'vscode-languageserver';
import { EmulatorCommand, EmulatorCommandArgs, emulatorCommands, EmulatorCommandResult, EmulatorState, emulatorStateNotification } from '../protocol';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { BadArguments, commandArgv } from './emulator/commandArgv';
import { EmulatorWorker } from './emulator/emulatorWorkerClient';
import { guarded } from './guard';
import { TargetService } from './targetService';

/** What the server advertises in `executeCommandProvider.commands`. */
export const emulatorCommandIds: string[] = Object.values(emulatorCommands);

const verbOf = new Map(Object.entries(emulatorCommands).map(([verb, id]) => [id as string, verb as EmulatorCommand]));

/**
 * The emulator's commands as `workspace/executeCommand`: one emulated hypervisor per server, in
 * a worker thread (emulator/emulatorWorkerClient.ts), booted on the target the server uses when
 * the first command comes, and a `livepatch/emulatorState` snapshot after every command. A guest
 * fault or a hypervisor panic is an answer (exit status, console), never a dead server.
 */
export function registerEmulatorCommands(connection: Connection, target: TargetService): EmulatorWorker {
  const emulator = new EmulatorWorker();
  let sessionTarget: string | undefined;
  // The state after the last command: what a command refused before it ran leaves unchanged.
  let lastState: EmulatorState | undefined;
  const answer = (result: EmulatorCommandResult, state: EmulatorState): EmulatorCommandResult => {
    lastState = state;
    // Sent before the answer, so a client sees the new state by the time the command returns.
    void connection.sendNotification(emulatorStateNotification, state);
    return result;
  };

  const execute = async (params: ExecuteCommandParams): Promise<EmulatorCommandResult | null> => {
    const verb = verbOf.get(params.command);
    if (!verb) return null;
    const state = target.state;
    sessionTarget ??= 'path' in state ? state.path : bundledSampleTarget();
    if (!sessionTarget) return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${bundledSampleTargetHint}\n`, console: [] };
    const unbooted: EmulatorState = { target: sessionTarget, appliedStack: [], payloads: [] };
    let argv: string[];
    try {
      argv = commandArgv[verb]((params.arguments?.[0] ?? {}) as EmulatorCommandArgs);
    } catch (error) {
      if (!(error instanceof BadArguments)) throw error;
      return answer({ commandLine: verb, exitCode: 2, stdout: '', stderr: `${emulatorCommands[verb]}: ${error.message}\n`, console: [] }, lastState ?? unbooted);
    }
    const outcome = await emulator.run(sessionTarget, argv);
    if ('error' in outcome) throw new Error(outcome.error);
    if ('lost' in outcome)
      return answer({ commandLine: verb, exitCode: 1, stdout: '', stderr: `${outcome.lost}: the next command boots a fresh hypervisor.\n`, console: [] }, unbooted);
    return answer(outcome.result, outcome.state);
  };

  connection.onExecuteCommand(guarded(connection, 'emulator command', null, execute));
  return emulator;
}
