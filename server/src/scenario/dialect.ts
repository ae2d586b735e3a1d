import type { ScenarioCommand } from './command';

/** The two kinds of machine a scenario runs on: a Xen hypervisor or a Linux kernel (emulated or real). */
export type RuntimeName = 'xen' | 'linux';
export const runtimeNames: readonly RuntimeName[] = ['xen', 'linux'];

/** The emulator's commands for its other CPUs (run a function there, stop it, raise an NMI or #MC). */
export const cpuVerbs: readonly string[] = ['run', 'stop', 'nmi', 'mce'];

/** The emulator's own commands, on either runtime: a real machine has none of them. */
export const emulatorVerbs: readonly string[] = ['call', 'dump', 'reset', ...cpuVerbs];

/** xen-livepatch's commands (bare, or after `xen-livepatch`), as the emulator and a real dom0 take them. */
export const xenLivepatchVerbs: readonly string[] = ['help', 'list', 'upload', 'load', 'apply', 'revert', 'unload', 'replace'];

/** The shell commands of a Linux scenario, as a root shell on the kernel has them. */
export const linuxVerbs: readonly string[] = ['insmod', 'rmmod', 'echo', 'cat', 'sleep', 'dmesg', 'ps'];

/** What only a Linux scenario does; `cat` is Xen's too (`cat /sys/hypervisor/version/extra` in dom0). */
const linuxOnlyVerbs = new Set(linuxVerbs.filter((verb) => verb !== 'cat'));

/**
 * The runtime a scenario is written for when none is named: a kernel module (`.ko`) among the
 * files, or a command only the Linux runtime has (insmod, rmmod, echo, sleep, dmesg, ps), means
 * Linux; everything else is Xen, whose `xen-livepatch` commands the emulator has always taken
 * bare (`load X`).
 */
export function guessRuntime(commands: readonly ScenarioCommand[], files: readonly string[] = []): RuntimeName {
  const words = [...files, ...commands.flatMap((c) => c.argv.slice(1))];
  if (words.some((word) => word.endsWith('.ko'))) return 'linux';
  return commands.some((c) => linuxOnlyVerbs.has(c.argv[0])) ? 'linux' : 'xen';
}

/**
 * The command as a person would type it at the machine: `xen-livepatch load X` (the bare verbs
 * of `emu` get the tool's name), `emu call f` for the emulator's own, shell lines (Linux's, `cat`) as written.
 */
export function commandLine(command: Pick<ScenarioCommand, 'argv' | 'text'>, runtime: RuntimeName): string {
  const { argv } = command;
  if (emulatorVerbs.includes(argv[0])) return `emu ${argv.join(' ')}`.trimEnd();
  if (runtime === 'linux' || argv[0] === 'cat') return command.text;
  return (argv[0] === 'xen-livepatch' ? argv.join(' ') : `xen-livepatch ${argv.join(' ')}`).trimEnd();
}
