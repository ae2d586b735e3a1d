import type { KernelServices } from '../kernelServices';
import { EINTR } from '../errno';
import { TASK_NORMAL, TASK_RUNNING } from '../kernelTasks';
import { defineCall, defineSteps } from '../natives/define';
import { GuestStep } from '../guestCode';
import type { RealScheduler } from './scheduler';

/** MAX_SCHEDULE_TIMEOUT (LONG_MAX): schedule() with no timer. */
const MAX_SCHEDULE_TIMEOUT = (1n << 63n) - 1n;
/** HRTIMER_MODE_REL: the expiry is relative to now. */
const HRTIMER_MODE_REL = 1n;

/**
 * The sleeps with a timeout on a real vmlinux, at the timer hardware: the timer bases that
 * init_timers() and hrtimers_init() would set up, and the clock event device that fires them,
 * are the kernel model's timers in guest time. schedule() around them is the image's (and so
 * the scheduler's __schedule); msleep, schedule_timeout_{interruptible,uninterruptible,idle,
 * killable}, usleep_range and the wait_event_*_timeout macros are the image's code over these.
 * ktime_get() (CLOCK_MONOTONIC) is guest time since the emulated boot: the timekeeper's
 * clocksource was never registered.
 */
export function defineTimedSleeps(kernel: KernelServices, scheduler: RealScheduler): void {
  const clock = kernel.clock;
  const schedule = kernel.symbol('schedule');
  const setRunning = () => kernel.tasks.setCurrentState(TASK_RUNNING);
  /** A timer that wakes the current task at `atNs` (process_timeout, hrtimer_wakeup), then schedule(); `then` once it runs again. */
  const sleepUntil = (atNs: bigint, then: (fired: boolean) => bigint): GuestStep => {
    // The idle task cannot sleep: schedule() says so (the scheduler's fault), with no timer left behind.
    if (!scheduler.current) return { call: schedule, args: [], then: () => ({ result: 0n }) };
    const sleeper = kernel.tasks.currentAddress();
    let fired = false;
    const timer = kernel.timers.add(atNs, () => {
      fired = true;
      scheduler.tryToWakeUp(sleeper, TASK_NORMAL);
    });
    return {
      call: schedule,
      args: [],
      then: () => {
        kernel.timers.cancel(timer);
        return { result: then(fired) };
      },
    };
  };
  // schedule_timeout(timeout) (kernel/time/timer.c): at least `timeout` jiffies in the state the caller set, unless woken; the jiffies left.
  defineSteps(kernel, 'schedule_timeout', (ctx) => {
    const timeout = BigInt.asIntN(64, ctx.arg(0));
    if (timeout === MAX_SCHEDULE_TIMEOUT) return { call: schedule, args: [], then: () => ({ result: MAX_SCHEDULE_TIMEOUT }) };
    if (timeout < 0n) {
      kernel.log.printk(`\x013schedule_timeout: wrong timeout value ${BigInt.asUintN(64, timeout).toString(16)}\n`);
      setRunning();
      return { call: kernel.symbol('dump_stack'), args: [], then: () => ({ result: 0n }) };
    }
    const expire = clock.jiffies + timeout;
    return sleepUntil(clock.nsAtJiffies(expire), () => {
      const left = expire - clock.jiffies;
      return left > 0n ? left : 0n;
    });
  });
  // schedule_hrtimeout_range_clock(expires, delta, mode, clock) (kernel/time/hrtimer.c): 0 once the
  // timer fired, -EINTR when woken before. A lone hrtimer fires at its hard expiry, expires + delta.
  defineSteps(kernel, 'schedule_hrtimeout_range_clock', (ctx) => {
    const expires = ctx.arg(0);
    if (expires === 0n) return { call: schedule, args: [], then: () => ({ result: BigInt(-EINTR) }) };
    const value = BigInt.asIntN(64, ctx.memory.readU64(expires));
    const at = (ctx.arg(2) & HRTIMER_MODE_REL ? clock.ns + value : value) + ctx.arg(1);
    if (value === 0n || at <= clock.ns) {
      setRunning();
      return { result: 0n };
    }
    return sleepUntil(at, (fired) => {
      setRunning();
      return fired ? 0n : BigInt(-EINTR);
    });
  });
  defineCall(kernel, 'ktime_get', () => clock.ns);
}

/** The functions defineTimedSleeps implements, for binding at the image's own. */
export const REAL_TIMED_SLEEP_NATIVES = ['schedule_timeout', 'schedule_hrtimeout_range_clock', 'ktime_get'];
