import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';
import type { RealMachineRun } from '../../../client/out/features/realMachine';
import { findLinuxPieces, MissingPiecesError } from '../../../server/out/machines/hostPieces';
import { eventually, workspace } from './poll';

// Issue 11 §4 in a real VS Code: Run Scenario on a Real Kernel/Hypervisor (QEMU) on an open
// Linux scenario boots the real kernel, shows its progress and output, and compares with the
// emulator; cancel stops the machine, and no QEMU it started is left.

/** Why this host cannot boot a real kernel (what to install), or undefined when it can. */
function missingPieces(): string | undefined {
  try {
    findLinuxPieces({});
    return undefined;
  } catch (error) {
    if (error instanceof MissingPiecesError) return error.message.replace(/\n\s*/g, '; ');
    throw error;
  }
}

/** The processes whose parent is `parent`, with their command lines (Linux /proc). */
function children(parent: number): { pid: number; cmdline: string }[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent ? [{ pid: Number(d), cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ') }] : [];
      } catch {
        return [];
      }
    });
}

/** Running, or stopped but not yet reaped: a zombie (state Z) no longer holds the machine. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

async function openScenario(name: string, text: string): Promise<string> {
  const file = path.join(workspace(), name);
  writeFileSync(file, text);
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}

suite('Run Scenario on a Real Kernel/Hypervisor (QEMU) in a real VS Code', function () {
  const missing = missingPieces();
  suiteSetup(async function () {
    if (missing) {
      console.log(`SKIP real-machine e2e: no real Linux kernel in QEMU here (run bash scripts/ensure-vm.sh): ${missing}`);
      this.skip();
    }
    const extension = vscode.extensions.getExtension<LivepatchLensApi>('livepatch-lens.livepatch-lens')!;
    await extension.activate();
  });

  test('a Linux scenario runs on the real kernel: progress, each command in the output, the comparison with the emulator', async function () {
    this.timeout(300_000);
    await openScenario('real-machine.sh', '# the e2e scenario\ncat /proc/cmdline\necho hello from the guest\n');
    const run = await vscode.commands.executeCommand<RealMachineRun>('livepatch.runScenarioOnRealMachine');
    assert.ok(run, 'the command ran');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.runtime, 'linux');
    assert.equal(run.results.length, 2);
    // The runner's own kernel line: what proves the answer came from the booted kernel, not the emulator.
    assert.match(run.results[0].stdout, /\bnokaslr\b.*\bllnonce=/);
    assert.equal(run.results[1].stdout, 'hello from the guest\n');
    assert.deepEqual([run.progress[0], run.progress.at(-1)], ['booting Linux in QEMU…', 'running command 2 of 2']);
    assert.ok(
      run.progress.some((p) => p.startsWith('booted; running command 1 of 2')),
      run.progress.join(' / '),
    );
    assert.ok(run.output.includes('$ cat /proc/cmdline'), run.output.join('\n'));
    assert.ok(
      run.output.some((l) => /^livepatch-lens vm: booted .* in [\d.]+ s/.test(l)),
      run.output.join('\n'),
    );
    // The emulator's kernel has its own command line: that one line differs, the echo does not.
    assert.deepEqual(
      run.differences.filter((l) => l.startsWith('command ')),
      ['command 1, cat /proc/cmdline: stdout'],
    );
  });

  test('cancel while it boots stops the machine: the run says cancelled and its QEMU is gone', async function () {
    this.timeout(120_000);
    await openScenario('real-machine-cancel.sh', 'sleep 30\ncat /proc/version\n');
    const running = vscode.commands.executeCommand<RealMachineRun>('livepatch.runScenarioOnRealMachine');
    // The CLI is a child of this extension host; QEMU a child of the CLI.
    const cli = await eventually(
      'the vm CLI started',
      () => children(process.pid).find((c) => / vm --json /.test(c.cmdline)),
      (c) => c !== undefined,
    );
    const qemu = await eventually(
      'its QEMU started',
      () => children(cli!.pid).find((c) => /(^|\/)qemu-system-\S+ /.test(c.cmdline)),
      (c) => c !== undefined,
    );
    assert.equal(await vscode.commands.executeCommand('livepatch.cancelRealMachineRun'), true);
    const run = await running;
    assert.equal(run.cancelled, true);
    assert.ok(run.output.includes('Cancelled: the machine was stopped.'), run.output.join('\n'));
    await eventually(
      `QEMU ${qemu!.pid} gone`,
      () => alive(qemu!.pid),
      (a) => !a,
      10_000,
    );
    assert.equal(alive(cli!.pid), false, 'the CLI exited');
    assert.deepEqual(
      children(cli!.pid).filter((c) => alive(c.pid)),
      [],
      'nothing the CLI started is left',
    );
  });
});
