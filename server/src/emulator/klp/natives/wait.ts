import { GuestFault } from '../../faults';
import { GuestStep } from '../guestCode';
import type { KernelServices } from '../kernelServices';
import { KernelTask } from '../kernelTasks';

/**
 * A wait loop as the kernel writes one: set the task state, arm the wake-up (a timer, a place
 * on a wait list), schedule(), and check again when woken, so a wake-up that does not satisfy
 * the condition (a fake signal, a racing waker) just sleeps again. `check` gives the native's
 * result once the wait is over; `arm` may return another state to sleep in (TASK_RUNNING: yield).
 */
export function waitLoop(kernel: KernelServices, state: bigint, check: (task: KernelTask) => bigint | undefined, arm: (task: KernelTask) => bigint | void): GuestStep {
  const task = kernel.tasks.current();
  if (task === kernel.tasks.idle) throw new GuestFault('bug', `scheduling while atomic: ${task.comm}/0 (the idle task cannot sleep)`);
  if (kernel.atomicAs === task) throw new GuestFault('bug', `scheduling while atomic: ${task.comm}/${task.pid} (an emulator call runs in atomic context)`);
  const step = (): GuestStep => {
    const result = check(task);
    if (result !== undefined) return { result };
    kernel.tasks.setCurrentState(arm(task) ?? state);
    return { call: kernel.symbol('schedule'), args: [], then: step };
  };
  return step();
}

/** Waiters on a kernel object (a completion, a mutex), first come first woken. */
export class WaitLists {
  private readonly lists = new Map<bigint, KernelTask[]>();

  add(object: bigint, task: KernelTask): void {
    const list = this.lists.get(object) ?? [];
    if (!list.includes(task)) list.push(task);
    this.lists.set(object, list);
  }

  remove(object: bigint, task: KernelTask): void {
    const list = this.lists.get(object);
    if (!list) return;
    const i = list.indexOf(task);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.lists.delete(object);
  }

  /** Takes the first waiter off the list (or all of them). */
  take(object: bigint, all = false): KernelTask[] {
    const list = this.lists.get(object) ?? [];
    const taken = all ? list.splice(0) : list.splice(0, 1);
    if (!list.length) this.lists.delete(object);
    return taken;
  }

  waiters(object: bigint): readonly KernelTask[] {
    return this.lists.get(object) ?? [];
  }
}
