import type { KernelServices } from '../kernelServices';
import { TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE } from '../kernelTasks';
import { defineSteps } from './define';
import { waitLoop } from './wait';

/** MAX_SCHEDULE_TIMEOUT (LONG_MAX): sleep until woken. */
const MAX_SCHEDULE_TIMEOUT = (1n << 63n) - 1n;

/**
 * Sleeping for a while (kernel/time/timer.c): a timer wakes the task at the deadline. msleep
 * sleeps uninterruptibly for msecs_to_jiffies(ms) + 1 jiffies (a fake signal does not end it);
 * msleep_interruptible and schedule_timeout_interruptible end early on a wake-up and return the
 * time left; schedule_timeout() sleeps in the state the caller set.
 */
export function defineSleep(kernel: KernelServices): void {
  const clock = kernel.clock;
  const sleepUntil = (state: bigint, expires: bigint, interruptible: boolean, result: (left: bigint) => bigint) => {
    let armed: number | undefined;
    let woken = false;
    return waitLoop(
      kernel,
      state,
      () => {
        const left = expires - clock.jiffies;
        woken = armed !== undefined;
        if (left <= 0n || (interruptible && woken)) {
          if (armed !== undefined) kernel.timers.cancel(armed);
          return result(left > 0n ? left : 0n);
        }
        return undefined;
      },
      (task) => {
        if (armed !== undefined && kernel.timers.isPending(armed)) return;
        armed = kernel.timers.add(clock.nsAtJiffies(expires), () => kernel.tasks.wake(task));
      },
    );
  };
  const jiffiesToMs = (j: bigint) => (j * 1000n + BigInt(clock.hz) - 1n) / BigInt(clock.hz);
  defineSteps(kernel, 'msleep', (ctx) => sleepUntil(TASK_UNINTERRUPTIBLE, clock.jiffies + clock.msToJiffies(BigInt.asUintN(32, ctx.arg(0))) + 1n, false, () => 0n));
  defineSteps(kernel, 'msleep_interruptible', (ctx) => sleepUntil(TASK_INTERRUPTIBLE, clock.jiffies + clock.msToJiffies(BigInt.asUintN(32, ctx.arg(0))) + 1n, true, jiffiesToMs));
  const timeout = (state: bigint | undefined) => (ctx: { arg(i: number): bigint }) => {
    const t = BigInt.asIntN(64, ctx.arg(0));
    const sleepState = state ?? kernel.tasks.current().stateValue;
    let slept = false;
    const once = () => (slept ? t : ((slept = true), undefined));
    if (t === MAX_SCHEDULE_TIMEOUT) return waitLoop(kernel, sleepState, once, () => undefined);
    return sleepUntil(sleepState, clock.jiffies + (t > 0n ? t : 0n), sleepState === TASK_INTERRUPTIBLE, (left) => left);
  };
  defineSteps(kernel, 'schedule_timeout', timeout(undefined));
  defineSteps(kernel, 'schedule_timeout_interruptible', timeout(TASK_INTERRUPTIBLE));
  defineSteps(kernel, 'schedule_timeout_uninterruptible', timeout(TASK_UNINTERRUPTIBLE));
  defineSteps(kernel, 'schedule_timeout_idle', timeout(TASK_UNINTERRUPTIBLE));
  // usleep_range(min, max): sleeps at least min microseconds, in whole jiffies here.
  defineSteps(kernel, 'usleep_range_state', (ctx) => sleepUntil(TASK_UNINTERRUPTIBLE, clock.jiffies + clock.msToJiffies((ctx.arg(0) + 999n) / 1000n) + 1n, false, () => 0n));
}
