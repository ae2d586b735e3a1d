import { EmulatorError } from '../../faults';
import { Machine } from '../../machine';
import { PAGE_SIZE } from '../../memory';
import { TASK_DEAD, TASK_RUNNING, taskStateMember, TaskSymbols } from '../kernelTasks';
import { TargetLayout } from '../layout';
import { RealPerCpu } from './perCpuAreas';

/** Processes a session can have at once (insmod, cat, the kworkers a module would start). */
const SLOTS = 32n;
/** THREAD_SIZE on x86-64 without KASAN: 16 KiB. */
export const THREAD_SIZE = 0x4000n;
/** Each kernel stack above a guard page of its own, as vmalloc'ed stacks are (CONFIG_VMAP_STACK). */
const STACK_STRIDE = PAGE_SIZE + THREAD_SIZE;
/** sizeof(struct pt_regs) when the DWARF lacks it: the user registers at the top of every task's stack. */
const PT_REGS_SIZE = 168n;

/**
 * The processes of an emulated vmlinux: its init_task is the idle task, and each system call
 * (insmod, cat) runs in a process of its own, whose task_struct is dup_task_struct()'s copy of
 * init_task (so `current->nsproxy`, `cred`, `fs` are the init ones) with its own pid, comm and
 * 16 KiB stack above a guard page. The slots are the kernel model's task pool (kernelTasks.ts);
 * a dead process's slot is taken again.
 */
export class RealProcesses {
  readonly symbols: TaskSymbols;
  private readonly taskSize: bigint;
  private readonly off: { pid: bigint; tgid: bigint; comm: bigint; state: bigint; stack: bigint };
  private readonly ptRegsSize: bigint;
  private nextPid = 1;

  constructor(
    private readonly machine: Machine,
    layout: TargetLayout,
    perCpu: RealPerCpu,
    file: string,
  ) {
    const initTask = machine.symbols.get('init_task');
    if (!initTask) throw new EmulatorError(`${file}: no init_task (the emulated vmlinux's idle task)`);
    this.taskSize = BigInt(layout.size('task_struct'));
    const pool = machine.allocate(SLOTS * this.taskSize, 'the task_structs of the processes');
    const stacks = machine.allocate(SLOTS * STACK_STRIDE, 'the kernel stacks of the processes');
    for (let slot = 0n; slot < SLOTS; slot++) {
      machine.memory.unmap(stacks + slot * STACK_STRIDE, PAGE_SIZE);
      machine.memory.reserveGuard(stacks + slot * STACK_STRIDE, PAGE_SIZE, 'the guard page below a process kernel stack (stack overflow)');
    }
    this.ptRegsSize = layout.has('pt_regs') ? BigInt(layout.size('pt_regs')) : PT_REGS_SIZE;
    this.off = {
      pid: layout.offset('task_struct', 'pid'),
      tgid: layout.offset('task_struct', 'tgid'),
      comm: layout.offset('task_struct', 'comm'),
      state: layout.offset('task_struct', taskStateMember(layout)),
      stack: layout.offset('task_struct', 'stack'),
    };
    this.symbols = {
      initTask: initTask.address,
      currentTask: perCpu.at('current_task'),
      runqueue: perCpu.at('runqueues'),
      lastPid: 0n,
      taskPool: { address: pool, size: SLOTS * this.taskSize },
      taskStacks: { address: stacks, size: SLOTS * STACK_STRIDE },
    };
  }

  /** fork() of init_task: a running process named `comm` in a free slot; its task_struct's address. */
  spawn(comm: string): bigint {
    const m = this.machine.memory;
    const { taskPool, taskStacks, initTask } = this.symbols;
    for (let slot = 0n; slot < SLOTS; slot++) {
      const task = taskPool.address + slot * this.taskSize;
      const pid = m.readU32(task + this.off.pid);
      if (pid !== 0 && !(m.readU64(task + this.off.state) & TASK_DEAD)) continue;
      m.write(task, m.read(initTask, Number(this.taskSize)));
      const id = this.nextPid++;
      m.writeU32(task + this.off.pid, id);
      m.writeU32(task + this.off.tgid, id);
      m.write(task + this.off.comm, new Uint8Array(16));
      m.writeCString(task + this.off.comm, comm.slice(0, 15));
      m.writeU64(task + this.off.state, TASK_RUNNING);
      m.writeU64(task + this.off.stack, taskStacks.address + slot * STACK_STRIDE + PAGE_SIZE);
      return task;
    }
    throw new EmulatorError(`fork: Resource temporarily unavailable (all ${SLOTS} process slots of the emulated vmlinux are in use)`);
  }

  /**
   * A process's kernel stack: its lowest address, and where its kernel code starts, below the
   * pt_regs a system call's entry saves at the top (task_pt_regs()), 16-byte aligned.
   */
  stackOf(task: bigint): { base: bigint; top: bigint; end: bigint } {
    const base = this.machine.memory.readU64(task + this.off.stack);
    const end = base + THREAD_SIZE;
    return { base, top: (end - this.ptRegsSize) & ~15n, end };
  }

  /** do_exit(): the process is gone, its slot free. */
  exit(task: bigint): void {
    this.machine.memory.writeU64(task + this.off.state, TASK_DEAD);
  }
}
