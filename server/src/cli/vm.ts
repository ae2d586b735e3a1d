import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { GuestFiles } from '../machines/guestFiles';
import { findLinuxPieces, MissingPiecesError } from '../machines/hostPieces';
import { linuxProfile } from '../machines/linuxProfile';
import { MachineError } from '../machines/machineError';
import { machineDefaults, MachineProfile, QemuMachine } from '../machines/qemuMachine';
import { findXenPieces } from '../machines/xenPieces';
import { xenArgv, xenProfile } from '../machines/xenProfile';
import type { ScenarioCommand } from '../scenario/command';
import { commandLine, emulatorVerbs, RuntimeName, xenLivepatchVerbs } from '../scenario/dialect';
import { commandsOf } from '../scenario/parse';
import { runScenario } from '../scenario/runner';
import { CliCommand, CliError, CliIo, ExitCode } from './command';
import { scenarioSteps } from './emuScript';
import { runtimeOption, splitSessionOptions } from './sessionOptions';

/** No user value makes a machine run unbounded. */
const ceilingMs = 600_000;

const usage = `Usage: livepatch-lens vm [--runtime linux|xen] [--kernel F] [--xen F] [--modules-dir D] [--module F]... [--script FILE] [--json] [--echo] COMMAND [-- COMMAND]...

Boots a real machine in QEMU, once, and runs the scenario's commands one by one in a root shell
on it, with the same scenario language and output as \`emu\`:

  linux  a Linux kernel; the commands are a root shell's (busybox, and kmod's insmod/rmmod when
         the host has kmod): insmod FILE, rmmod, echo V > PATH, cat, sleep, dmesg, ...; after each
         command's output, the kernel log lines it caused, as \`dmesg\` shows them
  xen    Xen with a Linux dom0; the commands are xen-livepatch's (upload NAME FILE, list, apply,
         revert, replace, unload, load FILE; bare as in emu or written out) and the shell's (cat
         /sys/hypervisor/version/extra); after each command's output, the (XEN) console lines it caused

The files insmod, upload and load name are copied into the guest's /modules, where the shell
starts, and the words rewritten to the copies. KVM is used when /dev/kvm works, TCG otherwise;
the machine is always stopped at the end, also on Ctrl-C. Nothing is installed: a missing piece
is named with the apt-get command for it.

  --runtime R        linux or xen; default xen when --xen is given, else linux
  --kernel F         the kernel (dom0's under Xen): a bzImage, or an ELF vmlinux with a PVH note
                     (default: Debian's newest /boot/vmlinuz-*; for linux the same release's -dbg
                     vmlinux when installed, which boots faster)
  --xen F            the hypervisor, an ELF or gzipped (default: Debian's newest /boot/xen-*.gz)
  --modules-dir D    a modules folder (/lib/modules/RELEASE): linux copies it to the guest's
                     /lib/modules; xen takes dom0's xen-privcmd.ko and xenfs.ko from it
  --module F         a file copied into the guest's /modules
  --script FILE      commands, one a line, run before those on the command line; # comments;
                     quotes as in emu; relative paths are read from FILE's folder
  --echo             print each command before its output, (exit status N) after a failing one
  --json             one JSON object per command and line: {command, redirect?, stdout, stderr,
                     exitCode, log (linux) or console (xen)}
  --timeout MS       wall-clock limit of one command (default ${machineDefaults.commandTimeoutMs}, at most ${ceilingMs}); past it the machine is stopped
  --boot-timeout MS  limit of the boot (default ${machineDefaults.bootTimeoutMs}, at most ${ceilingMs})
  --memory MIB       guest memory (default 512 for linux, 1024 for xen, half of it dom0's)
  --qemu FILE        the QEMU binary (default qemu-system-x86_64 on PATH)

On stderr first: what was booted, the accelerator (KVM or TCG) and the boot time.
Exit status as emu's: the session stops at the first command that does not exit as expected
(\`expect N COMMAND\`, else 0) and exits with its status (1 if it succeeded unexpectedly); 0 when
all did; 2 for usage errors, a missing piece, a machine that failed, timed out or was cancelled.

Examples:
  livepatch-lens vm cat /proc/version
  livepatch-lens vm --echo insmod livepatch-sample.ko -- cat /proc/cmdline -- echo 0 '>' /sys/kernel/livepatch/livepatch_sample/enabled
  livepatch-lens vm --runtime xen --echo cat /sys/hypervisor/version/extra -- load xen_hello_world.livepatch -- list`;

const spec = {
  values: new Set(['--runtime', '--kernel', '--xen', '--modules-dir', '--module', '--script', '--timeout', '--boot-timeout', '--memory', '--qemu']),
  flags: new Set(['--json', '--echo']),
};

function positiveInteger(name: string, text: string | undefined, ceiling: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new CliError(`${name} expects a positive integer, got '${text}'`);
  if (value > ceiling) throw new CliError(`${name} ${text} is more than the ceiling of ${ceiling}`);
  return value;
}

interface ProfileOptions {
  kernel?: string;
  qemu?: string;
  xen?: string;
  modulesDir?: string;
  memoryMiB?: number;
}

/** The machine to boot, or the CLI's message naming every missing piece and the apt-get line. */
function machineProfile(runtime: RuntimeName, files: GuestFiles, options: ProfileOptions): MachineProfile {
  try {
    if (runtime === 'xen') return xenProfile(findXenPieces(options), files, options);
    return linuxProfile(findLinuxPieces(options), files, options);
  } catch (error) {
    if (error instanceof MissingPiecesError) throw new CliError(error.message);
    throw error;
  }
}

/** --runtime, else xen when a hypervisor is given (--xen), else linux: a real machine's shell commands are not the emulator's bare Xen verbs. */
function chooseRuntime(given: string | undefined, xen: string | undefined): RuntimeName {
  if (given === undefined) return xen === undefined ? 'linux' : 'xen';
  return runtimeOption(given);
}

async function run(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, flags, words } = splitSessionOptions(args, spec, usage);
  const single = (name: string) => values.get(name)?.at(-1);
  const script = single('--script');
  const steps = scenarioSteps(script, words);
  const commands = commandsOf(steps);
  if (!commands.length) throw new CliError(`no command given\n${usage}`);
  const modules = values.get('--module') ?? [];
  const missingModule = modules.find((module) => !existsSync(module) || !statSync(module).isFile());
  if (missingModule !== undefined) throw new CliError(`--module ${missingModule}: no such file`);
  const runtime = chooseRuntime(single('--runtime'), single('--xen'));
  const emulatorOnly = commands.find((c) => emulatorVerbs.includes(c.argv[0]));
  if (emulatorOnly) throw new CliError(`${emulatorOnly.source}: '${emulatorOnly.argv[0]}' is the emulator's own command (livepatch-lens emu); a real machine has no such command`);
  const commandTimeoutMs = positiveInteger('--timeout', single('--timeout'), ceilingMs);
  const bootTimeoutMs = positiveInteger('--boot-timeout', single('--boot-timeout'), ceilingMs);
  const memoryMiB = positiveInteger('--memory', single('--memory'), 65_536);
  const files = new GuestFiles(script ? path.dirname(script) : '.');
  for (const module of modules) files.add(path.resolve(module));
  const guestWords = runtime === 'xen' ? xenArgv : (argv: string[]) => argv;
  files.addNamedBy(commands.map((c) => ({ argv: guestWords(c.argv) })));
  const profile = machineProfile(runtime, files, { kernel: single('--kernel'), qemu: single('--qemu'), xen: single('--xen'), modulesDir: single('--modules-dir'), memoryMiB });

  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  process.once('SIGINT', onSigint);
  let machine: QemuMachine | undefined;
  try {
    const booted = await QemuMachine.boot(profile, { bootTimeoutMs, signal: cancel.signal });
    machine = booted;
    io.err(
      `livepatch-lens vm: booted ${profile.booted} with ${booted.accel.toUpperCase()} in ${(booted.bootMs / 1000).toFixed(1)} s${booted.kvmFailure ? ' (QEMU could not use KVM)' : ''}`,
    );
    const options = {
      json: flags.has('--json'),
      echo: flags.has('--echo'),
      display: (c: ScenarioCommand) => (runtime === 'linux' || xenLivepatchVerbs.includes(c.argv[0]) ? commandLine(c, runtime) : c.text),
      logKey: runtime === 'xen' ? ('console' as const) : ('log' as const),
      program: 'livepatch-lens vm',
    };
    return await runScenario(steps, { run: (command) => booted.run(command, commandTimeoutMs) }, io, options);
  } catch (error) {
    if (error instanceof MachineError) throw new CliError(error.message);
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await machine?.close();
  }
}

export const vmCommand: CliCommand = {
  name: 'vm',
  summary: 'a real Linux kernel or Xen hypervisor in QEMU: the same scenario as emu, on the real thing',
  usage,
  run,
};
