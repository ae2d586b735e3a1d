import type { ScenarioCommand } from '../../scenario/command';
import { EmulatorError } from '../faults';
import type { Machine } from '../machine';
import type { CallContext, LivepatchRuntime, RuntimeFactory, RuntimeIo, RuntimeLog, RuntimeOutput } from '../runtime';
import type { LinuxEmulatorState, LinuxPatchState } from '../state';
import { LinuxKernel } from './kernel';
import type { KernelTask } from './kernelTasks';
import type { LivepatchSnapshot } from './livepatch';
import { readSingleShow } from './realImage/procFiles';
import { ps, runLinuxCommand } from './shell';

/**
 * Linux's runtime for the EmulatorSession: the commands are the shell's (shell.ts), the log is
 * the kernel's ring with its stamps, `dump` is `ps` into the log, and `call` runs as a task of
 * the guest (`--pid N`; the idle task by default), so a patched function goes where the
 * livepatch core sends that task.
 */
export class LinuxRuntime implements LivepatchRuntime {
  readonly name = 'linux';
  /** The first line of /proc/version at boot (`Linux version ...` on a kernel; the bundled sample, Xen's too, says `Xen version ...`). */
  readonly version: string | undefined;

  constructor(readonly kernel: LinuxKernel) {
    this.version = bootVersion(kernel);
  }

  get machine(): Machine {
    return this.kernel.machine;
  }

  get log(): RuntimeLog {
    return this.kernel.log;
  }

  get banner(): string {
    const real = this.kernel.realBoot;
    const booted = real ? `; the image's own code after its boot, ${real.natives.length} functions as natives` : '';
    return (this.version ?? `${this.kernel.tasks.list().length} tasks`) + booted;
  }

  /**
   * An oops kills the task it happened on and the kernel goes on; one on the idle task (a timer
   * function, an atomic /proc read) is the panic Linux has then: the kernel is dead until reset.
   */
  halted(): string | undefined {
    const oops = this.kernel.oopses.find((o) => o.pid === 0);
    return oops && `the kernel has panicked (Attempted to kill the idle task! after ${oops.fault.message})`;
  }

  run(command: ScenarioCommand, io: RuntimeIo): RuntimeOutput {
    return this.refusal() ?? runLinuxCommand(this.kernel, command, io);
  }

  /** What every command but reset answers once the kernel is dead. */
  private refusal(): RuntimeOutput | undefined {
    const halted = this.halted();
    return halted ? { stdout: '', stderr: `${halted}; reset it\n`, exitCode: 1 } : undefined;
  }

  /** `dump`: ps into the kernel log (where a sysrq-t dump would go), so it shows with the command's lines. */
  dump(): RuntimeOutput {
    const refused = this.refusal();
    if (refused) return refused;
    this.kernel.log.printk(`\x016sysrq: Show State\n${ps(this.kernel)}`);
    return { stdout: '', stderr: '', exitCode: 0 };
  }

  subject(command: ScenarioCommand): string | undefined {
    const [verb, first] = command.argv;
    return (verb === 'insmod' || verb === 'rmmod') && first ? `module ${first}` : undefined;
  }

  /**
   * `call [--pid N] FUNCTION ARGS`: runs on the idle CPU context with the guest's `current`
   * set to task N (default 0, the idle task), as a call from that task in atomic context would
   * run: the livepatch handler picks the func for N's patch_state. A native that would sleep
   * there is refused as the kernel refuses scheduling while atomic.
   */
  callContext(args: string[]): CallContext {
    const at = args.indexOf('--pid');
    if (at < 0) return { args, around: (call) => this.asTask(this.kernel.tasks.idle, call) };
    const word = args[at + 1] ?? '';
    if (!/^\d+$/.test(word)) throw new EmulatorError(`--pid expects a process id, got '${word}'`);
    const task = this.kernel.tasks.byPid(Number(word));
    if (!task) throw new EmulatorError(`no task with pid ${word} (ps lists them)`);
    return { args: [...args.slice(0, at), ...args.slice(at + 2)], around: (call) => this.asTask(task, call) };
  }

  private asTask<T>(task: KernelTask, call: () => T): T {
    const tasks = this.kernel.tasks;
    const idle = this.kernel.machine.tasks[0];
    if (idle.state !== 'idle') idle.reset();
    const m = this.kernel.machine.memory;
    const { currentTask, initTask } = tasks.symbols;
    m.writeU64(currentTask, task.address);
    this.kernel.atomicAs = task;
    try {
      return call();
    } finally {
      this.kernel.atomicAs = undefined;
      m.writeU64(currentTask, initTask);
    }
  }

  state(target: string): LinuxEmulatorState {
    const kernel = this.kernel;
    const snapshot = kernel.livepatch.snapshot();
    const describe = (address: bigint) => kernel.machine.describe(address);
    return {
      runtime: 'linux',
      target,
      ...(this.version ? { version: this.version } : {}),
      ...(this.halted() ? { panicked: this.halted() } : {}),
      patches: linuxPatches(snapshot),
      ...(snapshot.transition
        ? {
            transition: {
              patch: snapshot.transition.patch,
              target: snapshot.transition.target,
              blocking: snapshot.transition.blocking.map(({ pid, comm, function: fn }) => ({ pid, comm, function: fn })),
            },
          }
        : {}),
      tasks: kernel.tasks.list().map((t) => ({
        pid: t.pid,
        comm: t.comm,
        state: t.pid === 0 ? 'I' : t.state,
        patchState: t.klp.patchState,
        stack: t.isRunning ? [] : t.stackFunctions().map(describe),
      })),
      modules: kernel.modules.list().map((m) => ({
        name: m.name,
        state: m.state === 'gone' ? 'going' : m.state,
        livepatch: m.livepatch,
        refcount: m.refcount,
        usedBy: [...m.usedBy].map((user) => user.name),
      })),
    };
  }
}

/**
 * The target's /proc/version show function at boot, run in atomic context on the idle task
 * rather than in a `cat` process, so reading it takes no pid from the scenario's tasks.
 */
function bootVersion(kernel: LinuxKernel): string | undefined {
  const versionShow = kernel.realBoot && kernel.machine.symbols.get('version_proc_show');
  if (versionShow) return readSingleShow(kernel, undefined, versionShow.address).split('\n')[0] || undefined;
  if (!kernel.machine.symbols.get('proc_read')) return undefined;
  const name = kernel.heap.string('version');
  try {
    const result = kernel.callAtomic('proc_read', [name]);
    if (result.status !== 'returned' || result.rax === 0n) return undefined;
    return kernel.machine.memory.readCString(result.rax, 4096).split('\n')[0] || undefined;
  } finally {
    kernel.heap.free(name);
  }
}

/** The core's patches as /sys/kernel/livepatch shows them: `FUNCTION,SYMPOS` names, the replacement's address. */
function linuxPatches(snapshot: LivepatchSnapshot): LinuxPatchState[] {
  return snapshot.patches.map((p) => ({
    name: p.name,
    enabled: p.enabled,
    transition: p.transition,
    ...(p.replace ? { replace: true } : {}),
    ...(p.forced ? { forced: true } : {}),
    objects: p.objects.map((o) => ({
      name: o.name,
      patched: o.patched,
      funcs: o.funcs.map((f) => ({
        name: f.sympos ? `${f.oldName},${f.sympos}` : f.oldName,
        patched: f.patched,
        ...(f.transition ? { transition: true } : {}),
        ...(f.nop ? {} : { newAddr: f.newFunc }),
      })),
    })),
  }));
}

export const linuxRuntimeFactory: RuntimeFactory = {
  name: 'linux',
  boot: (target) => new LinuxRuntime(LinuxKernel.boot(target)),
};
