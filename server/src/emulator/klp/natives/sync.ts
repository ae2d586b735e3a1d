import type { KernelServices } from '../kernelServices';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE } from '../kernelTasks';
import { defineCall, defineSteps } from './define';
import { waitLoop, WaitLists } from './wait';

/** UINT_MAX in completion.done: complete_all() was called. */
const COMPLETE_ALL = 0xffffffffn;
/** -ERESTARTSYS and -EINTR: an interruptible wait ended by a signal. */
const ERESTARTSYS = -512n;
const EINTR = -4n;

/**
 * Completions (kernel/sched/completion.c) and mutexes (kernel/locking/mutex.c) in the layouts
 * of Linux 6.1: completion.done is the u32 at offset 0, mutex.owner the word at offset 0 (the
 * owning task_struct, 0 when unlocked). Waiters queue in order; complete() lets one waiter
 * through, complete_all() all of them; mutex_unlock() wakes the first waiter, which takes the
 * lock when it runs.
 */
export function defineSync(kernel: KernelServices): void {
  const m = kernel.machine.memory;
  const tasks = kernel.tasks;
  const completions = new WaitLists();
  const mutexes = new WaitLists();
  const done = (x: bigint) => BigInt(m.readU32(x));
  const setDone = (x: bigint, v: bigint) => m.writeU32(x, Number(v));

  defineCall(kernel, '__init_swait_queue_head', () => undefined);
  defineCall(kernel, 'complete', (ctx) => {
    const x = ctx.arg(0);
    if (done(x) !== COMPLETE_ALL) setDone(x, done(x) + 1n);
    for (const t of completions.take(x)) tasks.wake(t);
  });
  defineCall(kernel, 'complete_all', (ctx) => {
    setDone(ctx.arg(0), COMPLETE_ALL);
    for (const t of completions.take(ctx.arg(0), true)) tasks.wake(t);
  });
  const take = (x: bigint): boolean => {
    const d = done(x);
    if (d === 0n) return false;
    if (d !== COMPLETE_ALL) setDone(x, d - 1n);
    return true;
  };
  defineCall(kernel, 'try_wait_for_completion', (ctx) => (take(ctx.arg(0)) ? 1n : 0n));
  defineCall(kernel, 'completion_done', (ctx) => (done(ctx.arg(0)) !== 0n ? 1n : 0n));
  const waitFor = (x: bigint, state: bigint, timeout: bigint | undefined, onSuccess: (left: bigint) => bigint, onSignal: bigint) => {
    const expires = timeout === undefined ? undefined : kernel.clock.jiffies + timeout;
    let timer: number | undefined;
    let slept = false;
    return waitLoop(
      kernel,
      state,
      (task) => {
        const left = expires === undefined ? 1n : expires - kernel.clock.jiffies;
        const finish = (value: bigint) => {
          completions.remove(x, task);
          if (timer !== undefined) kernel.timers.cancel(timer);
          return value;
        };
        if (take(x)) return finish(onSuccess(left > 0n ? left : 1n));
        if (expires !== undefined && left <= 0n) return finish(0n);
        if (slept && state === TASK_INTERRUPTIBLE && completions.waiters(x).includes(task)) return finish(onSignal);
        slept = true;
        return undefined;
      },
      (task) => {
        completions.add(x, task);
        if (expires !== undefined && (timer === undefined || !kernel.timers.isPending(timer))) timer = kernel.timers.add(kernel.clock.nsAtJiffies(expires), () => tasks.wake(task));
      },
    );
  };
  defineSteps(kernel, 'wait_for_completion', (ctx) => waitFor(ctx.arg(0), TASK_UNINTERRUPTIBLE, undefined, () => 0n, 0n));
  defineSteps(kernel, 'wait_for_completion_timeout', (ctx) => waitFor(ctx.arg(0), TASK_UNINTERRUPTIBLE, ctx.arg(1), (left) => left, 0n));
  defineSteps(kernel, 'wait_for_completion_interruptible', (ctx) => waitFor(ctx.arg(0), TASK_INTERRUPTIBLE, undefined, () => 0n, ERESTARTSYS));
  defineSteps(kernel, 'wait_for_completion_killable', (ctx) => waitFor(ctx.arg(0), TASK_UNINTERRUPTIBLE, undefined, () => 0n, 0n));

  const owner = (lock: bigint) => m.readU64(lock);
  const lockBy = (lock: bigint, interruptible: boolean) => {
    let slept = false;
    return waitLoop(
      kernel,
      interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE,
      (task) => {
        if (owner(lock) === 0n) {
          mutexes.remove(lock, task);
          m.writeU64(lock, task.address);
          return 0n;
        }
        if (interruptible && slept && mutexes.waiters(lock).includes(task)) {
          mutexes.remove(lock, task);
          return EINTR;
        }
        slept = true;
        return undefined;
      },
      (task) => mutexes.add(lock, task),
    );
  };
  defineCall(kernel, '__mutex_init', (ctx) => m.writeU64(ctx.arg(0), 0n));
  defineSteps(kernel, 'mutex_lock', (ctx) => lockBy(ctx.arg(0), false));
  defineSteps(kernel, 'mutex_lock_interruptible', (ctx) => lockBy(ctx.arg(0), true));
  defineSteps(kernel, 'mutex_lock_killable', (ctx) => lockBy(ctx.arg(0), false));
  defineCall(kernel, 'mutex_trylock', (ctx) => {
    if (owner(ctx.arg(0)) !== 0n) return 0n;
    m.writeU64(ctx.arg(0), tasks.currentAddress());
    return 1n;
  });
  defineCall(kernel, 'mutex_unlock', (ctx) => {
    m.writeU64(ctx.arg(0), 0n);
    for (const t of mutexes.take(ctx.arg(0))) tasks.wake(t);
  });
  defineCall(kernel, 'mutex_is_locked', (ctx) => (owner(ctx.arg(0)) !== 0n ? 1n : 0n));
}
