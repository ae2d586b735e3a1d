import { GuestStep } from '../guestCode';
import type { KernelServices } from '../kernelServices';
import { TASK_NORMAL, TASK_UNINTERRUPTIBLE } from '../kernelTasks';
import { defineCall, defineSteps } from '../natives/define';
import { waitLoop } from '../natives/wait';
import type { RealScheduler } from './scheduler';

/** WORK_STRUCT_PENDING: bit 0 of work_struct.data. */
const PENDING = 1n;

/** The workqueue's view of one work_struct. */
interface WorkItem {
  /** Its queueing: when the kernel model's timer runs it. */
  timer: { id: number; at: bigint } | undefined;
  running: boolean;
  /** Queued again while it ran: it runs once this run is over (an item never runs concurrently with itself). */
  again: boolean;
  /** Runs finished, for flush_work and cancel_work_sync's waits. */
  runs: number;
}

/**
 * Workqueues on a real vmlinux, whose workqueue_init_early() never ran (system_wq is NULL, no
 * kworker pool): a queued item's PENDING bit is set and a timer of the kernel model starts it at
 * its time (`delay` jiffies on; no delay: as soon as the CPU is free), clearing the bit first as
 * process_one_work() does, so the item may queue itself again. Each run is a kworker process of
 * the scheduler (`kworker/0:N`, N the first worker free, as a pool adds workers while others
 * sleep), which may sleep; flush_work and the _sync cancels wait for a running item in the
 * caller's process. Cancelling takes a pending item off its timer. Every workqueue is one queue.
 */
export function defineRealWorkqueues(kernel: KernelServices, scheduler: RealScheduler): void {
  const m = kernel.machine.memory;
  const off = { data: kernel.layout.offset('work_struct', 'data'), func: kernel.layout.offset('work_struct', 'func') };
  const items = new Map<bigint, WorkItem>();
  const workers = new Set<number>();
  const itemOf = (work: bigint): WorkItem => {
    let item = items.get(work);
    if (!item) items.set(work, (item = { timer: undefined, running: false, again: false, runs: 0 }));
    return item;
  };
  const waiters = new Map<WorkItem, bigint[]>();
  const setPending = (work: bigint, on: boolean) => m.writeU64(work + off.data, on ? m.readU64(work + off.data) | PENDING : m.readU64(work + off.data) & ~PENDING);
  const start = (work: bigint) => {
    const item = itemOf(work);
    if (item.running) {
      item.again = true;
      return;
    }
    setPending(work, false);
    item.running = true;
    let worker = 1;
    while (workers.has(worker)) worker++;
    workers.add(worker);
    scheduler.spawn(`kworker/0:${worker}`, m.readU64(work + off.func), [work], () => {
      workers.delete(worker);
      item.running = false;
      item.runs++;
      for (const task of waiters.get(item)?.splice(0) ?? []) scheduler.tryToWakeUp(task, TASK_NORMAL);
      if (item.again) {
        item.again = false;
        start(work);
      }
    });
  };
  /** The kernel model's timer that starts the item at `at` (guest ns). */
  const arm = (work: bigint, at: bigint) => {
    const item = itemOf(work);
    item.timer = {
      at,
      id: kernel.timers.add(at, () => {
        item.timer = undefined;
        start(work);
      }),
    };
  };
  const queue = (work: bigint, delay: bigint): bigint => {
    if (m.readU64(work + off.data) & PENDING) return 0n;
    setPending(work, true);
    arm(work, kernel.clock.nsAtJiffies(kernel.clock.jiffies + delay));
    return 1n;
  };
  const cancel = (work: bigint): bigint => {
    const item = items.get(work);
    if (!item || (!item.timer && !item.again)) return 0n;
    if (item.timer) kernel.timers.cancel(item.timer.id);
    item.timer = undefined;
    item.again = false;
    setPending(work, false);
    return 1n;
  };
  /** Sleeps (uninterruptibly) in the caller's process until `item` has finished `runs` runs; then `result`. */
  const waitForRuns = (item: WorkItem, runs: number, result: bigint): GuestStep =>
    waitLoop(
      kernel,
      TASK_UNINTERRUPTIBLE,
      () => (item.runs >= runs ? result : undefined),
      (task) => {
        const list = waiters.get(item) ?? [];
        if (!list.includes(task.address)) list.push(task.address);
        waiters.set(item, list);
      },
    );
  /** flush_work(): waits for the run in progress and for a queueing already due; true when it waited. */
  const flush = (work: bigint): GuestStep => {
    const item = items.get(work);
    const owed = item ? (item.running ? 1 : 0) + (item.again || (item.timer && item.timer.at <= kernel.clock.ns) ? 1 : 0) : 0;
    return item && owed ? waitForRuns(item, item.runs + owed, 1n) : { result: 0n };
  };
  // (cpu, wq, work[, delay]): a delayed_work starts with its work_struct.
  defineCall(kernel, 'queue_work_on', (ctx) => queue(ctx.arg(2), 0n));
  defineCall(kernel, 'queue_delayed_work_on', (ctx) => queue(ctx.arg(2), ctx.arg(3)));
  defineCall(kernel, 'mod_delayed_work_on', (ctx) => {
    const was = cancel(ctx.arg(2));
    queue(ctx.arg(2), ctx.arg(3));
    return was;
  });
  for (const name of ['cancel_work', 'cancel_delayed_work']) defineCall(kernel, name, (ctx) => cancel(ctx.arg(0)));
  // cancel_work_sync(): the pending queueing is gone, and a run in progress is waited for; true when it was pending.
  for (const name of ['cancel_work_sync', 'cancel_delayed_work_sync'])
    defineSteps(kernel, name, (ctx) => {
      const was = cancel(ctx.arg(0));
      const item = items.get(ctx.arg(0));
      return item?.running ? waitForRuns(item, item.runs + 1, was) : { result: was };
    });
  defineSteps(kernel, 'flush_work', (ctx) => flush(ctx.arg(0)));
  // flush_delayed_work(): a timer still pending is cut short (the item queued now), then flush_work().
  defineSteps(kernel, 'flush_delayed_work', (ctx) => {
    const item = items.get(ctx.arg(0));
    if (item?.timer && item.timer.at > kernel.clock.ns) {
      kernel.timers.cancel(item.timer.id);
      arm(ctx.arg(0), kernel.clock.ns);
    }
    return flush(ctx.arg(0));
  });
}

/** The workqueue functions defineRealWorkqueues implements, for binding at the image's own. */
export const REAL_WORKQUEUE_NATIVES = [
  'queue_work_on',
  'queue_delayed_work_on',
  'mod_delayed_work_on',
  'cancel_work',
  'cancel_work_sync',
  'cancel_delayed_work',
  'cancel_delayed_work_sync',
  'flush_work',
  'flush_delayed_work',
];
