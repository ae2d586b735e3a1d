import { EmulatorError } from '../faults';
import { Machine } from '../machine';
import { Frame } from '../tasks';
import { TargetLayout } from './layout';

// include/linux/sched.h's state bits (the target uses the kernel's values).
export const TASK_RUNNING = 0n;
export const TASK_INTERRUPTIBLE = 1n;
export const TASK_UNINTERRUPTIBLE = 2n;
export const TASK_DEAD = 0x80n;
/** TASK_NORMAL: what wake_up_process() and the wait queues wake, either sleeping state. */
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;

/** The task_struct member holding the state word: 5.14 renamed `state` to `__state`. */
export const taskStateMember = (layout: TargetLayout): string => (layout.has('task_struct', '__state') ? '__state' : 'state');

/** ps(1)'s state letters. */
export type TaskStateLetter = 'R' | 'S' | 'D' | 'X';

/** Where the target keeps its tasks: symbols found at boot. */
export interface TaskSymbols {
  initTask: bigint;
  currentTask: bigint;
  runqueue: bigint;
  lastPid: bigint;
  taskPool: { address: bigint; size: bigint };
  taskStacks: { address: bigint; size: bigint };
}

/**
 * A task of the guest: its task_struct lives in guest memory, created by the target's
 * kthread_run and switched by the target's __schedule; what the emulator adds is the shadow call
 * stack of its stack (the functions on it, exactly) and the `klp` slot the livepatch core owns.
 */
export class KernelTask {
  /** The livepatch core's per-task state (/proc/<pid>/patch_state); -1: no transition. */
  readonly klp = { patchState: -1 };

  constructor(
    private readonly tasks: KernelTasks,
    /** The task_struct's guest address. */
    readonly address: bigint,
    private readonly frames: () => readonly Frame[],
  ) {}

  get pid(): number {
    return this.tasks.pidOf(this.address);
  }

  get comm(): string {
    return this.tasks.commOf(this.address);
  }

  /** The raw `state` word of the task_struct. */
  get stateValue(): bigint {
    return this.tasks.stateOf(this.address);
  }

  get state(): TaskStateLetter {
    const s = this.stateValue;
    if (s === TASK_RUNNING) return 'R';
    if (s & TASK_DEAD) return 'X';
    if (s & TASK_UNINTERRUPTIBLE) return 'D';
    return 'S';
  }

  /** On the CPU now (the guest's `current`): its stack is live and must not be judged. */
  get isRunning(): boolean {
    return this.tasks.currentAddress() === this.address;
  }

  /**
   * Entry addresses of the functions on its stack, innermost first, as an unwinder finds them:
   * the function last called, then the function holding each return address (so a tail call
   * shows the function it jumped to, and ret_from_fork_asm ends a kthread's stack). Return
   * addresses into the emulator's own stubs (the host's call) are left out.
   */
  stackFunctions(): bigint[] {
    const frames = [...this.frames()].reverse();
    if (!frames.length) return [];
    const symbols = this.tasks.machine.symbols;
    const out = [frames[0].target];
    frames.forEach((f, i) => {
      const hit = symbols.at(f.returnAddress);
      if (hit) {
        if (hit.symbol.image !== 'natives') out.push(hit.symbol.address);
        return;
      }
      // A return into the kernel model's trampoline: the native that called out through it (a
      // step of schedule_timeout's sleep) is on the stack as the image function it replaces.
      const native = frames[i + 1]?.target;
      if (native !== undefined && symbols.at(native)?.symbol.image !== 'natives' && symbols.at(native)?.symbol.address === native) out.push(native);
    });
    return out;
  }

  /** The calls on its stack, innermost first: the called entry and the return address of each. */
  stackFrames(): Array<{ function: bigint; returnAddress: bigint }> {
    return [...this.frames()].reverse().map((f) => ({ function: f.target, returnAddress: f.returnAddress }));
  }
}

/**
 * The guest's tasks as the kernel model sees them: init_task (pid 0, the idle task, running on
 * the machine's main stack) and the slots of the target's task_pool, each with its stack in
 * task_stacks. Every one of those stacks is registered with the machine, so a task's functions
 * are known while it sleeps.
 */
export class KernelTasks {
  private readonly known = new Map<bigint, KernelTask>();
  private readonly slotFrames: Frame[][] = [];
  private readonly taskSize: bigint;
  private readonly slots: bigint;
  private readonly stackSize: bigint;
  private readonly off: { state: bigint; pid: bigint; comm: bigint; sp: bigint; nrRunning: bigint };
  private readonly idleHooks: Array<() => void> = [];
  private readonly userReturnHooks: Array<(task: KernelTask) => void> = [];
  private readonly newTaskHooks: Array<(task: KernelTask) => void> = [];
  private readonly wakeHooks: Array<(task: KernelTask) => void> = [];

  constructor(
    readonly machine: Machine,
    layout: TargetLayout,
    readonly symbols: TaskSymbols,
  ) {
    this.taskSize = BigInt(layout.size('task_struct'));
    this.slots = symbols.taskPool.size / this.taskSize;
    if (this.slots <= 0n) throw new EmulatorError('the target has no task_pool slots');
    this.stackSize = symbols.taskStacks.size / this.slots;
    this.off = {
      state: layout.offset('task_struct', taskStateMember(layout)),
      pid: layout.offset('task_struct', 'pid'),
      comm: layout.offset('task_struct', 'comm'),
      sp: layout.offset('task_struct', 'thread.sp'),
      nrRunning: layout.offset('rq', 'nr_running'),
    };
    for (let i = 0n; i < this.slots; i++) {
      const low = symbols.taskStacks.address + i * this.stackSize;
      this.slotFrames.push(machine.stacks.add(low, low + this.stackSize));
    }
    const idleFrames = machine.tasks[0].frames;
    this.known.set(symbols.initTask, new KernelTask(this, symbols.initTask, () => idleFrames));
  }

  /** Every live task (not dead), init_task first, then by slot. */
  list(): KernelTask[] {
    const out = [this.known.get(this.symbols.initTask)!];
    for (let i = 0n; i < this.slots; i++) {
      const address = this.symbols.taskPool.address + i * this.taskSize;
      if (this.pidOf(address) === 0) break;
      if (this.stateOf(address) & TASK_DEAD) continue;
      out.push(this.task(address));
    }
    return out;
  }

  byPid(pid: number): KernelTask | undefined {
    return this.list().find((t) => t.pid === pid);
  }

  /** The KernelTask of a task_struct address (made on first sight; new-task hooks run then). */
  task(address: bigint): KernelTask {
    const known = this.known.get(address);
    if (known && this.isSameTask(known)) return known;
    const slot = Number((address - this.symbols.taskPool.address) / this.taskSize);
    const frames = this.slotFrames[slot];
    if (!frames) throw new EmulatorError(`0x${address.toString(16)} is not a task_struct of the target`);
    const task = new KernelTask(this, address, () => frames);
    this.pids.set(address, this.pidOf(address));
    this.known.set(address, task);
    for (const hook of this.newTaskHooks) hook(task);
    return task;
  }

  private readonly pids = new Map<bigint, number>();

  /** A reused slot is a new task: its pid changed. */
  private isSameTask(task: KernelTask): boolean {
    return task.address === this.symbols.initTask || this.pids.get(task.address) === task.pid;
  }

  /** Notes tasks the guest created since the last look (kthread_run), so new-task hooks see them. */
  discover(): void {
    this.list();
  }

  get idle(): KernelTask {
    return this.known.get(this.symbols.initTask)!;
  }

  /** The guest's `current`. */
  current(): KernelTask {
    const address = this.currentAddress();
    return address === this.symbols.initTask ? this.idle : this.task(address);
  }

  currentAddress(): bigint {
    return this.machine.memory.readU64(this.symbols.currentTask);
  }

  /** A fake signal (klp_send_signals for a kthread): wakes the task only from an interruptible sleep. */
  wakeUp(task: KernelTask): boolean {
    return task.stateValue === TASK_INTERRUPTIBLE ? this.wake(task) : false;
  }

  /** wake_up_process(): a sleeping task becomes runnable, as the target's own wake_up_process does. */
  wake(task: KernelTask): boolean {
    const state = task.stateValue;
    if (state === TASK_RUNNING || state & TASK_DEAD) return false;
    const m = this.machine.memory;
    m.writeU64(task.address + this.off.state, TASK_RUNNING);
    const nr = this.symbols.runqueue + this.off.nrRunning;
    m.writeU32(nr, m.readU32(nr) + 1);
    for (const hook of this.wakeHooks) hook(task);
    return true;
  }

  /** Sets the current task's state before it calls schedule() (set_current_state). */
  setCurrentState(state: bigint): void {
    this.machine.memory.writeU64(this.currentAddress() + this.off.state, state);
  }

  /** Tasks the run queue holds, the idle task included (rq->nr_running). */
  nrRunning(): number {
    return this.machine.memory.readU32(this.symbols.runqueue + this.off.nrRunning);
  }

  /** Runs at every pass of the idle loop (where the livepatch core switches idle tasks). */
  onIdle(hook: () => void): void {
    this.idleHooks.push(hook);
  }

  /** Runs when a process's system call returns to user space (the kernel-exit switch point). */
  onUserReturn(hook: (task: KernelTask) => void): void {
    this.userReturnHooks.push(hook);
  }

  /** Runs when the kernel model first sees a task (created by kthread_run or a system call). */
  onNewTask(hook: (task: KernelTask) => void): void {
    this.newTaskHooks.push(hook);
  }

  /** Runs when wake() made a sleeping task runnable (a real vmlinux's scheduler puts it back on its run queue). */
  onWake(hook: (task: KernelTask) => void): void {
    this.wakeHooks.push(hook);
  }

  runIdleHooks(): void {
    for (const hook of this.idleHooks) hook();
  }

  runUserReturnHooks(task: KernelTask): void {
    for (const hook of this.userReturnHooks) hook(task);
  }

  pidOf(address: bigint): number {
    return this.machine.memory.readU32(address + this.off.pid) | 0;
  }

  commOf(address: bigint): string {
    return this.machine.memory.readCString(address + this.off.comm, 16);
  }

  stateOf(address: bigint): bigint {
    return this.machine.memory.readU64(address + this.off.state);
  }

  /** Marks a task dead and off the run queue (after an oops killed it). */
  kill(task: KernelTask): void {
    const m = this.machine.memory;
    if (task.stateValue === TASK_RUNNING) {
      const nr = this.symbols.runqueue + this.off.nrRunning;
      m.writeU32(nr, m.readU32(nr) - 1);
    }
    m.writeU64(task.address + this.off.state, TASK_DEAD);
    m.writeU64(task.address + this.off.sp, 0n);
    const frames = this.slotFrames[Number((task.address - this.symbols.taskPool.address) / this.taskSize)];
    if (frames) frames.length = 0;
  }
}
