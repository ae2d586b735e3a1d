import { GuestFault } from '../../faults';
import { CallResult } from '../../machine';
import { Task } from '../../tasks';
import type { KernelServices } from '../kernelServices';
import { KernelTask, TASK_RUNNING } from '../kernelTasks';
import { defineCall } from '../natives/define';
import { RealPerCpu } from './perCpuAreas';
import { RealProcesses } from './processes';
import { REAL_LINUX_DOCS } from './realLinux';

/** The stop reason of a process's run that left the CPU in __schedule (asleep, or yielding). */
const SWITCHED = 'switched';
/** Context switches one pass over the run queue may make: runnable tasks that only yield to each other end it. */
export const MAX_SWITCHES = 10_000;
/** PREEMPT_ENABLED (asm/preempt.h): the preempt count a task starts with and the idle CPU has. */
const PREEMPT_ENABLED = 0x80000000;

/** A process of the emulated vmlinux as the scheduler sees it. */
export interface RealProcess {
  readonly address: bigint;
  readonly task: KernelTask;
  /** Its machine task: its own kernel stack and the registers it left the CPU with. */
  readonly cpu: Task;
  state: 'runnable' | 'running' | 'asleep' | 'exited';
  /** What it runs when it first gets the CPU (then undefined). */
  entry: { fn: bigint; args: bigint[] } | undefined;
  /** How its run ended: returned, or the fault that killed it. */
  ended: CallResult | undefined;
  /** The per-CPU preempt count it left the CPU with (inside schedule(): preemption disabled). */
  preemptCount: number;
  onExit: ((result: CallResult) => void) | undefined;
}

/**
 * The scheduler of a real vmlinux on its one CPU, at the context switch: every process (a system
 * call, a work item's kworker) runs on its own kernel stack in a machine task of its own;
 * `__schedule` is where it leaves the CPU (its registers saved in that task, its call stack
 * kept on its stack) and `try_to_wake_up` where it is put back on the run queue. Everything
 * around them is the image's code: schedule(), the wait queues, completions, mutexes,
 * msleep's loop. The run queue is first come first served; a task that sleeps is off it until
 * woken; the host runs what is runnable (runRunnable) and the kernel model's timers advance
 * guest time when nothing is. The idle task and an emulator `call` are atomic: they cannot sleep.
 */
export class RealScheduler {
  private readonly processes = new Map<bigint, RealProcess>();
  private readonly runQueue: RealProcess[] = [];
  private readonly cpuTasks = new Map<bigint, Task>();
  private running: RealProcess | undefined;
  private readonly off: { state: bigint };
  private readonly preemptCount: bigint | undefined;
  private readonly topOfStack: bigint | undefined;
  /** cpu_current_top_of_stack of the idle task, as the image's per-CPU template has it (TOP_OF_INIT_STACK). */
  private readonly idleTopOfStack: bigint;

  constructor(
    private readonly kernel: KernelServices,
    private readonly processTable: RealProcesses,
    perCpu: RealPerCpu,
    /** A process's run ended (returned or faulted), while it is still `current`: the oops, the return to user space. */
    private readonly exited: (process: RealProcess, result: CallResult) => void,
  ) {
    const at = (name: string) => (kernel.machine.symbols.get(name) ? perCpu.at(name) : undefined);
    this.preemptCount = at('__preempt_count');
    this.topOfStack = at('cpu_current_top_of_stack');
    this.idleTopOfStack = this.topOfStack === undefined ? 0n : kernel.machine.memory.readU64(this.topOfStack);
    this.off = { state: kernel.layout.offset('task_struct', kernel.layout.has('task_struct', '__state') ? '__state' : 'state') };
    kernel.tasks.onWake((task) => this.enqueue(task.address));
    defineCall(kernel, '__schedule', (ctx) => this.schedule(Number(BigInt.asUintN(32, ctx.arg(0))), ctx));
    defineCall(kernel, 'try_to_wake_up', (ctx) => (this.tryToWakeUp(ctx.arg(0), BigInt.asUintN(32, ctx.arg(1))) ? 1n : 0n));
  }

  /**
   * fork() and wake_up_new_task(): a process named `comm` that runs fn(args) once it gets the
   * CPU; `onExit` hears how it ended.
   */
  spawn(comm: string, fn: bigint, args: bigint[], onExit?: (result: CallResult) => void): RealProcess {
    const address = this.processTable.spawn(comm);
    // Seen while init_task is still current: the new-task hooks take it as the parent (klp_copy_process).
    const task = this.kernel.tasks.task(address);
    const process: RealProcess = { address, task, cpu: this.cpuTaskOf(address), state: 'runnable', entry: { fn, args }, ended: undefined, preemptCount: PREEMPT_ENABLED, onExit };
    this.processes.set(address, process);
    this.runQueue.push(process);
    return process;
  }

  /** The process on the CPU; undefined: the idle task (a timer, an emulator call: atomic context). */
  get current(): RealProcess | undefined {
    return this.running;
  }

  /** Whether any process could run now. */
  get hasRunnable(): boolean {
    return this.runQueue.length > 0;
  }

  /** The schedule() of the idle loop: runs what is runnable until every process has exited or sleeps. */
  runRunnable(): void {
    if (this.running) return;
    for (let switches = 0; switches < MAX_SWITCHES; switches++) {
      const next = this.runQueue.shift();
      if (!next) return;
      this.run(next);
    }
  }

  /**
   * try_to_wake_up(p, state): when p's state is one of `state`, it becomes TASK_RUNNING and, if
   * it slept, goes back on the run queue; true when it was woken (kernel/sched/core.c).
   */
  tryToWakeUp(address: bigint, state: bigint): boolean {
    const m = this.kernel.machine.memory;
    if (!(BigInt(m.readU32(address + this.off.state)) & state)) return false;
    m.writeU32(address + this.off.state, Number(TASK_RUNNING));
    this.enqueue(address);
    return true;
  }

  /** The processes asleep off the run queue. */
  sleepers(): RealProcess[] {
    return [...this.processes.values()].filter((p) => p.state === 'asleep');
  }

  /** A sleeping process of ours made TASK_RUNNING (by try_to_wake_up or the kernel model) goes back on the run queue. */
  private enqueue(address: bigint): void {
    const process = this.processes.get(address);
    if (!process || process.state !== 'asleep') return;
    process.state = 'runnable';
    this.runQueue.push(process);
  }

  /**
   * __schedule(sched_mode): a task that set a sleeping state (and is not being preempted)
   * leaves the run queue; otherwise it yields to the next runnable task, or goes on at once
   * when there is none. On the idle task or in an emulator call nothing may sleep.
   */
  private schedule(mode: number, ctx: { stop(reason: string): void }): void {
    const process = this.running;
    if (!process) throw this.atomicSleep();
    const state = BigInt(this.kernel.machine.memory.readU32(process.address + this.off.state));
    // SM_MASK_PREEMPT is ~0 without PREEMPT_RT: any mode is a preemption, which does not dequeue.
    if (state !== TASK_RUNNING && mode === 0) {
      process.state = 'asleep';
    } else {
      if (!this.runQueue.length) return;
      process.state = 'runnable';
      this.runQueue.push(process);
    }
    ctx.stop(SWITCHED);
  }

  /** The fault of a sleep in atomic context, naming the function that slept and its path. */
  private atomicSleep(): GuestFault {
    const callers = this.kernel.machine.backtrace().map((frame) => frame.split(' ')[0]);
    const sleeper = callers.find((fn) => !/schedule/.test(fn)) ?? 'the caller';
    const task = this.kernel.tasks.current();
    return new GuestFault(
      'native-error',
      `${sleeper} sleeps in atomic context (${callers.slice(0, callers.indexOf(sleeper) + 1).join(' <- ')}): ${task.comm}/${task.pid} runs on the idle task (a timer, an emulator call), which cannot sleep; run it in a process (${REAL_LINUX_DOCS})`,
    );
  }

  /** switch_to(): the process gets the CPU until it returns, faults or leaves it in __schedule. */
  private run(process: RealProcess): void {
    const m = this.kernel.machine.memory;
    const { currentTask, initTask } = this.kernel.tasks.symbols;
    m.writeU64(currentTask, process.address);
    if (this.topOfStack !== undefined) m.writeU64(this.topOfStack, this.processTable.stackOf(process.address).end);
    if (this.preemptCount !== undefined) m.writeU32(this.preemptCount, process.preemptCount);
    this.running = process;
    process.state = 'running';
    let result: CallResult;
    try {
      const entry = process.entry;
      process.entry = undefined;
      result = entry ? this.kernel.machine.call(entry.fn, entry.args, { task: process.cpu }) : this.kernel.machine.resume(process.cpu);
    } finally {
      this.running = undefined;
    }
    if (result.status === 'stopped' && result.stopReason === SWITCHED) {
      if (this.preemptCount !== undefined) process.preemptCount = m.readU32(this.preemptCount);
    } else {
      process.state = 'exited';
      process.ended = result;
      this.exited(process, result);
      process.cpu.reset();
      this.processTable.exit(process.address);
      this.processes.delete(process.address);
    }
    m.writeU64(currentTask, initTask);
    if (this.topOfStack !== undefined) m.writeU64(this.topOfStack, this.idleTopOfStack);
    if (this.preemptCount !== undefined) m.writeU32(this.preemptCount, PREEMPT_ENABLED);
    if (process.state === 'exited') process.onExit?.(result);
  }

  /** The machine task of a process slot, on that slot's kernel stack; made once, reused by the slot's next process. */
  private cpuTaskOf(address: bigint): Task {
    let task = this.cpuTasks.get(address);
    if (!task) {
      const { base, top } = this.processTable.stackOf(address);
      task = this.kernel.machine.createTaskOnStack(`process slot ${this.cpuTasks.size}`, base, top);
      this.cpuTasks.set(address, task);
    }
    return task;
  }
}
