import { ScenarioCommand } from '../../scenario/command';
import { EACCES, EBUSY, EINVAL, EISDIR, ENOENT, ENOEXEC, ESRCH, strerror } from './errno';
import { FileError, KernelFile } from './fs';
import type { LinuxKernel } from './kernel';
import { ModuleError, moduleNameOf } from './modules';
import { ProcessEnded } from './processEnded';
import { procPidFile } from './procfs';

export interface ShellIo {
  /** The bytes of a file named on the command line (a module for insmod); throws when it cannot be read. */
  readFile(path: string): Uint8Array;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ok = (stdout = ''): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1): ShellResult => ({ stdout: '', stderr, exitCode });

/**
 * One shell command on the emulated Linux machine, with the output and exit status of the real
 * tools on the project's real machines (kmod's insmod and rmmod, busybox sh, cat, sleep,
 * dmesg): insmod FILE [name=value]..., rmmod NAME, echo [-n] V > PATH, cat PATH..., sleep S,
 * dmesg [-c] [-r] (the lines since the previous dmesg), ps (pid, state, patch_state, command,
 * the functions on each task's stack).
 */
export function runLinuxCommand(kernel: LinuxKernel, command: ScenarioCommand, io: ShellIo): ShellResult {
  const [name, ...args] = command.argv;
  const run = (): ShellResult => {
    switch (name) {
      case 'insmod':
        return insmod(kernel, args, io);
      case 'rmmod':
        return rmmod(kernel, args);
      case 'echo':
        return echo(args);
      case 'cat':
        return cat(kernel, args);
      case 'sleep':
        return sleep(kernel, args);
      case 'dmesg':
        return dmesg(kernel, args);
      case 'ps':
        return ok(ps(kernel));
      case 'true':
        return ok();
      case 'false':
        return fail('');
      default:
        return fail(`sh: ${name ?? ''}: not found\n`, 127);
    }
  };
  const result = killable(run);
  return command.redirect ? redirect(kernel, result, command.redirect.path) : result;
}

/** A command whose process the kernel killed or left asleep: what the shell says then. */
function killable(run: () => ShellResult): ShellResult {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ProcessEnded)) throw error;
    return { stdout: '', ...error.shellReport };
  }
}

/** `> PATH`: busybox sh opens the file (O_WRONLY|O_CREAT|O_TRUNC) and the command writes there. */
function redirect(kernel: LinuxKernel, result: ShellResult, path: string): ShellResult {
  const file = lookup(kernel, path);
  if (!file) return fail(`sh: can't create ${path}: ${strerror(kernel.fs.isDirectory(path) ? EISDIR : ENOENT)}\n`);
  if (!file.write) return fail(`sh: can't create ${path}: ${strerror(EACCES)}\n`);
  if (result.stdout === '') return { ...result, stdout: '' };
  const ret = file.write(result.stdout);
  if (ret < 0) return { stdout: '', stderr: `${result.stderr}sh: write error: ${strerror(-ret)}\n`, exitCode: 1 };
  return { ...result, stdout: '' };
}

function lookup(kernel: LinuxKernel, path: string): KernelFile | undefined {
  return kernel.fs.get(path) ?? procPidFile(kernel, path);
}

/** kmod's mod_strerror(): the words insmod uses for the errors init_module(2) returns. */
function modStrerror(errno: number): string {
  if (errno === ENOEXEC) return 'Invalid module format';
  if (errno === ENOENT) return 'Unknown symbol in module';
  if (errno === ESRCH) return 'Module has wrong symbol version';
  if (errno === EINVAL) return 'Invalid parameters';
  return strerror(errno);
}

function insmod(kernel: LinuxKernel, args: string[], io: ShellIo): ShellResult {
  const [file, ...params] = args;
  if (!file) return fail('insmod: ERROR: missing filename.\n');
  let bytes: Uint8Array;
  try {
    bytes = io.readFile(file);
  } catch {
    return fail(`insmod: ERROR: could not load module ${file}: ${strerror(ENOENT)}\n`);
  }
  try {
    kernel.modules.load(file, bytes, params);
    return ok();
  } catch (error) {
    if (!(error instanceof ModuleError)) throw error;
    return fail(`insmod: ERROR: could not insert module ${file}: ${modStrerror(error.errno)}\n`);
  }
}

/** kmod's rmmod: its own checks (loaded? holders? references?) before delete_module(2). */
function rmmod(kernel: LinuxKernel, args: string[]): ShellResult {
  const names = args.filter((a) => !a.startsWith('-'));
  if (!names.length) return fail('rmmod: ERROR: missing module name.\n');
  let stderr = '';
  for (const arg of names) {
    const name = moduleNameOf(arg);
    const mod = kernel.modules.get(name);
    if (!mod) {
      stderr += `rmmod: ERROR: Module ${name} is not currently loaded\n`;
      continue;
    }
    if (mod.usedBy.size) {
      stderr += `rmmod: ERROR: Module ${name} is in use by: ${[...mod.usedBy].map((m) => m.name).join(' ')}\n`;
      continue;
    }
    if (mod.refcount > 0) {
      stderr += `rmmod: ERROR: Module ${name} is in use\n`;
      continue;
    }
    // A module with an init but no exit cannot be unloaded (delete_module: -EBUSY).
    if (mod.symbol('init_module') !== undefined && mod.symbol('cleanup_module') === undefined) {
      stderr += `rmmod: ERROR: could not remove module ${arg}: ${strerror(EBUSY)}\n`;
      continue;
    }
    kernel.modules.remove(mod);
  }
  return { stdout: '', stderr, exitCode: stderr ? 1 : 0 };
}

/** busybox echo: -n drops the newline; the words joined by spaces. */
function echo(args: string[]): ShellResult {
  const noNewline = args[0] === '-n';
  const words = noNewline ? args.slice(1) : args;
  return ok(words.join(' ') + (noNewline ? '' : '\n'));
}

function cat(kernel: LinuxKernel, args: string[]): ShellResult {
  let stdout = '';
  let stderr = '';
  for (const path of args) {
    const file = lookup(kernel, path);
    if (!file) {
      stderr += kernel.fs.isDirectory(path) ? `cat: read error: ${strerror(EISDIR)}\n` : `cat: can't open '${path}': ${strerror(ENOENT)}\n`;
      continue;
    }
    if (!file.read) {
      stderr += `cat: can't open '${path}': ${strerror(EACCES)}\n`;
      continue;
    }
    try {
      stdout += file.read();
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      stderr += `cat: read error: ${strerror(error.errno)}\n`;
    }
  }
  return { stdout, stderr, exitCode: stderr ? 1 : 0 };
}

/** busybox sleep: seconds, fractions allowed, with an optional s/m/h/d suffix. */
function sleep(kernel: LinuxKernel, args: string[]): ShellResult {
  if (!args.length) return fail('sleep: missing operand\n');
  let ns = 0n;
  for (const arg of args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!m) return fail(`sleep: invalid number '${arg}'\n`);
    const [whole, fraction = ''] = m[1].split('.');
    const nanos = BigInt(whole || '0') * 1_000_000_000n + BigInt((fraction + '000000000').slice(0, 9));
    ns += nanos * { '': 1n, s: 1n, m: 60n, h: 3600n, d: 86400n }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  }
  kernel.advance(ns);
  return ok();
}

function dmesg(kernel: LinuxKernel, args: string[]): ShellResult {
  const flags = new Set(args.flatMap((a) => (a.startsWith('-') && !a.startsWith('--') ? [...a.slice(1)].map((c) => `-${c}`) : [a])));
  for (const flag of flags) if (!['-c', '-r', '--clear', '--raw'].includes(flag)) return fail(`dmesg: invalid option -- '${flag.replace(/^-+/, '')}'\n`);
  const lines = kernel.log.readNew({ clear: flags.has('-c') || flags.has('--clear'), raw: flags.has('-r') || flags.has('--raw') });
  return ok(lines.map((l) => `${l}\n`).join(''));
}

/** ps: every task but the idle task, with its patch state and the functions on its stack. */
export function ps(kernel: LinuxKernel): string {
  const rows = kernel.tasks.list().filter((t) => t.pid !== 0);
  const describe = (address: bigint) => kernel.machine.describe(address);
  const lines = rows.map((t) => {
    const stack = t.isRunning ? '(running)' : t.stackFunctions().map(describe).join(' <- ');
    return `${String(t.pid).padStart(5)} ${t.state}  ${String(t.klp.patchState).padStart(5)}  ${t.comm.padEnd(16)} ${stack}`.trimEnd();
  });
  return ['  PID S  PATCH  COMMAND          STACK', ...lines].map((l) => `${l}\n`).join('');
}
