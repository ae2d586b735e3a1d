import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LinuxKernel } from '../../../../../server/out/emulator/klp/kernel';
import { runLinuxCommand } from '../../../../../server/out/emulator/klp/shell';
import { GuestFiles } from '../../../../../server/out/machines/guestFiles';
import type { LinuxPieces } from '../../../../../server/out/machines/hostPieces';
import { linuxProfile } from '../../../../../server/out/machines/linuxProfile';
import { QemuMachine } from '../../../../../server/out/machines/qemuMachine';
import type { ScenarioCommand } from '../../../../../server/out/scenario/command';
import type { CommandResult } from '../../../../../server/out/scenario/result';
import { fromRoot } from '../../../support/paths';

/** A scenario run on one machine: every command's result, in order (a run does not stop at a failure, so both machines answer every command). */
export interface MachineRun {
  machine: string;
  results: CommandResult[];
}

/** The emulator: the bundled sample target booted as Linux, the files insmod names read from `dir`. */
export function runOnEmulator(commands: readonly ScenarioCommand[], dir: string): MachineRun {
  const kernel = LinuxKernel.boot(fromRoot('samples', 'build', 'target', 'sample-target'));
  const io = { readFile: (file: string) => readFileSync(path.resolve(dir, file)) };
  const results = commands.map((command): CommandResult => {
    const mark = kernel.log.mark();
    const { stdout, stderr, exitCode } = runLinuxCommand(kernel, command, io);
    return { command: command.text, stdout, stderr, exitCode, log: kernel.log.since(mark) };
  });
  return { machine: 'emulator', results };
}

/** The real kernel in QEMU, one boot for the whole scenario, the files insmod names copied in from `dir`. */
export async function runOnRealKernel(commands: readonly ScenarioCommand[], dir: string, pieces: LinuxPieces): Promise<MachineRun> {
  const files = new GuestFiles(dir);
  files.addNamedBy([...commands]);
  const machine = await QemuMachine.boot(linuxProfile(pieces, files));
  try {
    const results: CommandResult[] = [];
    for (const command of commands) results.push(await machine.run(command));
    return { machine: `${path.basename(pieces.kernel)} (${machine.accel}, booted in ${(machine.bootMs / 1000).toFixed(1)} s)`, results };
  } finally {
    await machine.close();
  }
}
