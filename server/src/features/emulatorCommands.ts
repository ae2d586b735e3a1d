import { Connection, ExecuteCommandParams } from 'vscode-languageserver';
import { commandLine, XenSession } from '../emulator/xen';
import { EmulatorCommand, EmulatorCommandArgs, emulatorCommands, EmulatorCommandResult, emulatorStateNotification } from '../protocol';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { BadArguments, commandArgv } from './emulator/commandArgv';
import { emulatorSnapshot } from './emulator/snapshot';
import { guarded } from './guard';
import { TargetService } from './targetService';

/** What the server advertises in `executeCommandProvider.commands`. */
export const emulatorCommandIds: string[] = Object.values(emulatorCommands);

const verbOf = new Map(Object.entries(emulatorCommands).map(([verb, id]) => [id as string, verb as EmulatorCommand]));

/**
 * The emulator's commands as `workspace/executeCommand`: one emulated hypervisor per server,
 * booted on the target the server uses when the first command comes, and a
 * `livepatch/emulatorState` snapshot after every command. A guest fault or a hypervisor panic
 * is an answer (exit status, console), never a dead server.
 */
export function registerEmulatorCommands(connection: Connection, target: TargetService): void {
  let session: XenSession | undefined;
  const sessionFor = (): XenSession | undefined => {
    const state = target.state;
    const path = 'path' in state ? state.path : bundledSampleTarget();
    return path ? (session ??= new XenSession({ target: path })) : undefined;
  };

  const run = (verb: EmulatorCommand, current: XenSession, args: EmulatorCommandArgs): EmulatorCommandResult => {
    let argv: string[];
    try {
      argv = commandArgv[verb](args);
    } catch (error) {
      if (!(error instanceof BadArguments)) throw error;
      return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${emulatorCommands[verb]}: ${error.message}\n`, console: [] };
    }
    const { command, ...result } = current.run(argv);
    return { commandLine: commandLine(command), ...result };
  };

  const execute = (params: ExecuteCommandParams): EmulatorCommandResult | null => {
    const verb = verbOf.get(params.command);
    if (!verb) return null;
    const current = sessionFor();
    if (!current) return { commandLine: verb, exitCode: 2, stdout: '', stderr: `${bundledSampleTargetHint}\n`, console: [] };
    const answer = run(verb, current, (params.arguments?.[0] ?? {}) as EmulatorCommandArgs);
    // Sent before the answer, so a client sees the new state by the time the command returns.
    void connection.sendNotification(emulatorStateNotification, emulatorSnapshot(current));
    return answer;
  };

  connection.onExecuteCommand(guarded(connection, 'emulator command', null, execute));
}
