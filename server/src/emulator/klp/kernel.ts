import { readElf } from '../../elf';
import { EmulatorError, GuestFault } from '../faults';
import { CallResult, Machine } from '../machine';
import { Task } from '../tasks';
import { GuestClock } from './clock';
import { Ftrace, installFtrace } from './ftrace';
import { KernelFs } from './fs';
import { GuestCode } from './guestCode';
import { KernelHeap } from './heap';
import { KernelTask, KernelTasks, TASK_DEAD, TaskSymbols } from './kernelTasks';
import { TargetLayout } from './layout';
import { KernelLog } from './log';
import { KernelServices, LinuxKernelOptions, Oops, SyscallResult } from './kernelServices';
import { KernelModules } from './modules';
import { defineKernelNatives, overrideTargetFunctions } from './natives';
import { ShadowVariables } from './natives/shadow';
import { TimerLists } from './natives/timerList';
import { installPerCpu, PerCpu } from './percpu';
import { installLivepatchCore, InstalledLivepatch } from './livepatch';
import { registerModuleFiles, registerProcFiles, registerSlabInfo } from './procfs';
import { Timers } from './timers';
import { bindRealImageNatives } from './realImage/boundaryNatives';
import { defineRealPrintkStore } from './realImage/printkStore';
import { registerRealProcFiles } from './realImage/procFiles';
import { MAX_SWITCHES, RealProcess, RealScheduler } from './realImage/scheduler';
import { defineTimedSleeps } from './realImage/timedSleeps';
import { defineRealWorkqueues } from './realImage/workqueues';
import { isRealLinux, prepareRealLinux, REAL_LINUX_DOCS, RealLinuxBoot } from './realImage/realLinux';

const MAX_IDLE_PASSES = 10_000;

/**
 * The Linux kernel model of the embedded emulator: the sample target booted as a kernel, with
 * guest time, the kernel log, the target's own tasks and scheduler, modules, /proc and the files
 * sysfs shows. The livepatch core (klp/livepatch/) is built on the seams here.
 */
export class LinuxKernel implements KernelServices {
  readonly log: KernelLog;
  readonly timers = new Timers();
  readonly fs = new KernelFs();
  readonly heap: KernelHeap;
  readonly guestCode: GuestCode;
  readonly percpu: PerCpu;
  readonly ftrace: Ftrace;
  readonly tasks: KernelTasks;
  readonly modules: KernelModules;
  readonly oopses: Oops[] = [];
  /** Shadow variables by <obj, id> (klp_shadow_*). */
  shadows!: ShadowVariables;
  /** Pending struct timer_list timers. */
  timerLists!: TimerLists;
  /** The livepatch core (klp_enable_patch, /sys/kernel/livepatch, the transition). */
  livepatch!: InstalledLivepatch;
  readonly syscallLimitNs: bigint;
  /** The task an emulator `call` runs as, in atomic context (it must not sleep). */
  atomicAs: KernelTask | undefined;
  /** A real vmlinux's scheduler over its processes; undefined on the sample target, whose own scheduler runs. */
  scheduler: RealScheduler | undefined;
  private readonly jiffiesAddress: bigint | undefined;

  private constructor(
    readonly machine: Machine,
    readonly targetPath: string,
    readonly layout: TargetLayout,
    readonly clock: GuestClock,
    readonly options: LinuxKernelOptions,
    /** What the emulated boot of a real vmlinux set up; undefined on the sample target. */
    readonly realBoot: RealLinuxBoot | undefined,
  ) {
    this.log = new KernelLog(clock);
    this.heap = new KernelHeap(machine);
    this.guestCode = new GuestCode(machine);
    this.percpu = realBoot?.perCpu ?? installPerCpu(machine);
    this.ftrace = new Ftrace(machine);
    this.jiffiesAddress = machine.symbols.global('jiffies')?.address;
    this.tasks = new KernelTasks(machine, layout, realBoot?.processes.symbols ?? taskSymbols(machine));
    this.modules = new KernelModules(this);
    this.syscallLimitNs = BigInt(options.syscallLimitSeconds ?? 600) * 1_000_000_000n;
  }

  get HZ(): number {
    return this.clock.hz;
  }

  /**
   * Boots the target as a kernel: its start_kernel (the boot messages, the sample's threads),
   * then the workqueue's kworker threads, /proc, and the natives modules link against.
   */
  static boot(targetPath: string, options: LinuxKernelOptions = {}): LinuxKernel {
    const machine = new Machine();
    const elf = readElf(targetPath);
    let layout: TargetLayout;
    let realBoot: RealLinuxBoot | undefined;
    try {
      machine.loadTarget(elf, targetPath);
      layout = TargetLayout.read(elf, targetPath);
      if (isRealLinux(machine)) realBoot = prepareRealLinux(machine, elf, layout);
    } finally {
      elf.close();
    }
    const kernel = new LinuxKernel(machine, targetPath, layout, new GuestClock(options.hz ?? targetHz(machine) ?? 250), options, realBoot);
    ({ shadows: kernel.shadows, timers: kernel.timerLists } = defineKernelNatives(kernel));
    installFtrace(kernel);
    if (realBoot) defineRealPrintkStore(kernel, kernel.symbol('vsnprintf'));
    else overrideTargetFunctions(kernel);
    kernel.livepatch = installLivepatchCore(kernel);
    kernel.writeJiffies();
    if (realBoot) return kernel.finishRealBoot(realBoot);
    kernel.expect(kernel.callAtomic('start_kernel'), 'start_kernel');
    // The sample's boot threads ticked jiffies: guest time starts where they left it.
    if (kernel.jiffiesAddress !== undefined) kernel.clock.set(kernel.clock.nsAtJiffies(machine.memory.readU64(kernel.jiffiesAddress)));
    kernel.writeJiffies();
    kernel.expect(kernel.callAtomic('workqueue_init'), 'workqueue_init');
    registerProcFiles(kernel);
    registerModuleFiles(kernel);
    registerSlabInfo(kernel);
    kernel.runTasks();
    return kernel;
  }

  /**
   * The rest of a real vmlinux's boot: its functions the model implements bound by name, the
   * scheduler over its processes (each system call and work item a process of its own, which
   * may sleep), /proc's files whose show functions can run, the module files.
   */
  private finishRealBoot(realBoot: RealLinuxBoot): LinuxKernel {
    const scheduler = new RealScheduler(this, realBoot.processes, realBoot.perCpu, (process, result) => this.processEnded(process, result));
    this.scheduler = scheduler;
    defineRealWorkqueues(this, scheduler);
    defineTimedSleeps(this, scheduler);
    realBoot.natives.push(...bindRealImageNatives(this));
    realBoot.endBoot();
    registerRealProcFiles(this);
    registerModuleFiles(this);
    registerSlabInfo(this);
    return this;
  }

  /** A process's run is over: an oops if it faulted, else its return to user space; then it exits. */
  private processEnded(process: RealProcess, result: CallResult): void {
    if (result.status === 'returned') this.tasks.runUserReturnHooks(process.task);
    else this.afterRun(result, process.cpu);
  }

  private expect(result: CallResult, what: string): void {
    if (result.status !== 'returned') throw new EmulatorError(`${this.targetPath}: ${what} did not return at boot: ${result.fault?.report() ?? result.stopReason}`);
  }

  /** The address of a target symbol the kernel model needs. */
  symbol(name: string): bigint {
    const symbol = this.machine.symbols.get(name);
    if (!symbol) throw new EmulatorError(`${this.targetPath}: no symbol '${name}' (the Linux runtime needs it)`);
    return symbol.address;
  }

  private writeJiffies(): void {
    if (this.jiffiesAddress !== undefined) this.machine.memory.writeU64(this.jiffiesAddress, this.clock.jiffies);
  }

  /**
   * Calls a guest function on the idle task, in atomic context (a timer function, a /proc read
   * that cannot sleep); a fault there is an oops in the log.
   */
  callAtomic(fn: string | bigint, args: bigint[] = []): CallResult {
    const idle = this.machine.tasks[0];
    if (idle.state !== 'idle') idle.reset();
    const result = this.machine.call(fn, args, { task: idle });
    this.afterRun(result, idle);
    return result;
  }

  /** The idle loop: runs every runnable task until all sleep (schedule() from the idle task). */
  runTasks(): void {
    if (this.scheduler) {
      this.scheduler.runRunnable();
      this.tasks.runIdleHooks();
      return;
    }
    for (let pass = 0; pass < MAX_IDLE_PASSES; pass++) {
      this.tasks.discover();
      this.tasks.runIdleHooks();
      if (this.tasks.nrRunning() <= 1) return;
      this.callAtomic('schedule');
    }
  }

  /** Guest time passes: timers fire at their time, and the tasks they wake run. */
  advance(ns: bigint): void {
    const end = this.clock.ns + (ns > 0n ? ns : 0n);
    for (;;) {
      const next = this.timers.next();
      if (next === undefined || next > end) break;
      this.clock.set(next);
      this.writeJiffies();
      for (let fire = this.timers.takeDue(this.clock.ns); fire; fire = this.timers.takeDue(this.clock.ns)) fire();
      this.runTasks();
    }
    this.clock.set(end);
    this.writeJiffies();
    this.runTasks();
  }

  /**
   * A system call in a process of its own (`comm`): runs fn(args) on a new task of the target's
   * scheduler (its syscall_thread, or the real vmlinux's RealScheduler), so it may sleep; guest
   * time advances while it waits, up to syscallLimitNs. The process then returns to user space
   * (the user-return hooks run); on a real vmlinux what is due then (work queued with no delay)
   * runs before the command returns.
   */
  syscall(comm: string, fn: bigint, args: bigint[] = []): SyscallResult {
    if (this.scheduler) {
      const process = this.scheduler.spawn(comm, fn, args);
      const pid = process.task.pid;
      const waited = this.waitForProcess(comm, process.task, () => process.ended !== undefined);
      if (waited) return waited;
      this.advance(0n);
      const ended = process.ended!;
      return ended.status === 'returned' ? { status: 'returned', value: ended.rax, pid } : this.killed(comm, pid);
    }
    const m = this.machine.memory;
    const l = this.layout;
    const request = this.heap.alloc(BigInt(l.size('syscall_call')), true);
    const name = this.heap.string(comm);
    const at = (field: string) => request + l.offset('syscall_call', field);
    m.writeU64(at('fn'), fn);
    args.slice(0, 6).forEach((value, i) => m.writeU64(at('args') + 8n * BigInt(i), value));
    try {
      const created = this.callAtomic('kthread_run', [this.symbol('syscall_thread'), request, name]);
      if (created.status !== 'returned' || created.rax === 0n) return { status: 'failed', message: 'fork: Resource temporarily unavailable' };
      const task = this.tasks.task(created.rax);
      const pid = task.pid;
      const waited = this.waitForProcess(comm, task, () => m.readU32(at('done')) !== 0);
      if (waited) return waited;
      this.tasks.runUserReturnHooks(task);
      return { status: 'returned', value: m.readU64(at('ret')), pid };
    } finally {
      this.heap.free(request);
      this.heap.free(name);
    }
  }

  /**
   * Runs the tasks and guest time until `done`; a failure when the process was killed, sleeps
   * past syscallLimitNs of guest time, or sleeps with nothing left that could wake it (no timer
   * pending, nothing runnable): the emulator ends the command there, where the real machine
   * would wait forever; the process stays asleep, as `ps` shows.
   */
  private waitForProcess(comm: string, task: KernelTask, done: () => boolean): SyscallResult | undefined {
    const pid = task.pid;
    const deadline = this.clock.ns + this.syscallLimitNs;
    for (;;) {
      this.runTasks();
      if (done()) return undefined;
      if (task.pid !== pid || task.stateValue & TASK_DEAD) return this.killed(comm, pid);
      if (this.scheduler?.hasRunnable)
        return { status: 'failed', message: `${comm} (pid ${pid}) still runnable after ${MAX_SWITCHES} context switches in no guest time: tasks that only yield to each other` };
      const next = this.timers.next();
      if (next === undefined || next > deadline) {
        const where = task
          .stackFunctions()
          .map((a) => this.machine.describe(a))
          .join(' <- ');
        const why =
          next === undefined
            ? `blocked forever: it sleeps (${task.state}) with no timer pending and nothing runnable that could wake it`
            : `still sleeping after ${this.syscallLimitNs / 1_000_000_000n} s of guest time`;
        const message = `${comm} (pid ${pid}) ${why}, in ${where || 'nothing'}`;
        if (this.scheduler) this.log.printk(`\x013INFO: task ${comm}:${pid} ${why}; the emulator ends the command (${REAL_LINUX_DOCS})\n`);
        return { status: 'failed', message };
      }
      this.advance(next - this.clock.ns);
    }
  }

  /**
   * The end of a process its oops killed, with the signal oops_end() gave it. A run out of budget
   * or wall clock has none: the real kernel would report a soft lockup and spin on, so the
   * command ends with the emulator's words instead of a signal the real one never gets.
   */
  private killed(comm: string, pid: number): SyscallResult {
    let oops: Oops | undefined;
    for (const o of this.oopses) if (o.pid === pid) oops = o;
    const kind = oops?.fault.kind;
    if (kind === 'budget' || kind === 'timeout') return { status: 'failed', message: `${comm} (pid ${pid}) stopped by the emulator: ${oops!.fault.message}` };
    return { status: 'failed', message: `${comm}: Killed (the kernel oopsed in pid ${pid})`, signal: kind === 'page-fault' ? 'SIGKILL' : 'SIGSEGV' };
  }

  /** A guest run that faulted (or ran away) is an oops: logged, the task killed, the CPU back to idle. */
  private afterRun(result: CallResult, ran: Task): void {
    if (result.status === 'returned') return;
    const task = this.tasks.current();
    const fault = result.fault ?? new GuestFault('budget', `watchdog: BUG: soft lockup - CPU#0 stuck [${task.comm}:${task.pid}] (${result.stopReason ?? 'stopped'})`);
    this.oopses.push({ fault, pid: task.pid, comm: task.comm });
    for (const line of oopsLines(fault, task)) this.log.printk(`\x011${line}\n`);
    // do_exit() of the idle task: the panic Linux has then; LinuxRuntime.halted() refuses commands after it.
    if (task === this.tasks.idle) for (const line of IDLE_PANIC) this.log.printk(`\x010${line}\n`);
    ran.reset();
    if (task !== this.tasks.idle) this.tasks.kill(task);
    const m = this.machine.memory;
    m.writeU64(this.tasks.symbols.currentTask, this.tasks.symbols.initTask);
    m.writeU64(this.tasks.symbols.runqueue + this.layout.offset('rq', 'curr'), this.tasks.symbols.initTask);
  }
}

const IDLE_PANIC = ['Kernel panic - not syncing: Attempted to kill the idle task!', '---[ end Kernel panic - not syncing: Attempted to kill the idle task! ]---'];

function oopsLines(fault: GuestFault, task: KernelTask): string[] {
  return [
    `BUG: ${fault.message}`,
    `CPU: 0 PID: ${task.pid} Comm: ${task.comm}`,
    ...(fault.location ? [`RIP: ${fault.location}`] : []),
    'Call Trace:',
    ...(fault.backtrace ?? []).map((f) => ` ${f}`),
  ];
}

/** The target's own HZ: its `hz` variable (the sample's is 1e9 / NSEC_PER_JIFFY), when it has one. */
function targetHz(machine: Machine): number | undefined {
  const hz = machine.symbols.global('hz');
  if (!hz || hz.kind !== 'object') return undefined;
  const value = machine.memory.readU32(hz.address);
  return value > 0 && value <= 10000 ? value : undefined;
}

function taskSymbols(machine: Machine): TaskSymbols {
  const need = (name: string) => {
    const s = machine.symbols.get(name);
    if (!s) throw new EmulatorError(`the target has no '${name}' (the Linux runtime's task model reads it)`);
    return s;
  };
  return {
    initTask: need('init_task').address,
    currentTask: need('current_task').address,
    runqueue: need('runqueue').address,
    lastPid: need('last_pid').address,
    taskPool: { address: need('task_pool').address, size: need('task_pool').size },
    taskStacks: { address: need('task_stacks').address, size: need('task_stacks').size },
  };
}
