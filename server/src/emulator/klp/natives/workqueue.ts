import { EmulatorError } from '../../faults';
import { andThen } from '../guestCode';
import type { KernelServices } from '../kernelServices';
import { TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../kernelTasks';
import { defineCall, defineData, defineSteps } from './define';
import { TimerLists } from './timerList';
import { waitLoop } from './wait';

/** WORK_STRUCT_PENDING: bit 0 of work_struct.data. */
const PENDING = 1n;
const SYSTEM_WORKQUEUES = [
  'system_wq',
  'system_highpri_wq',
  'system_long_wq',
  'system_unbound_wq',
  'system_freezable_wq',
  'system_power_efficient_wq',
  'system_freezable_power_efficient_wq',
];

/**
 * Workqueues (kernel/workqueue.c) over the target's kworker pool: queueing sets the item's
 * PENDING bit, appends it to the pool's worklist and wakes an idle kworker, which runs it on
 * its own stack (the target's worker_thread). Delayed work waits on its timer first. Every
 * workqueue shares the one pool, as unbound and per-CPU queues do on a one-CPU machine.
 */
export function defineWorkqueues(kernel: KernelServices, timers: TimerLists): void {
  const m = kernel.machine.memory;
  const l = kernel.layout;
  const pool = kernel.symbol('cpu_worker_pool');
  const workerThread = kernel.symbol('worker_thread');
  const off = {
    data: l.offset('work_struct', 'data'),
    entry: l.offset('work_struct', 'entry'),
    timer: l.offset('delayed_work', 'timer'),
    wq: l.offset('delayed_work', 'wq'),
    cpu: l.offset('delayed_work', 'cpu'),
    worklist: l.offset('worker_pool', 'worklist'),
    current: l.offset('worker_pool', 'current_work'),
    waiter: l.offset('worker_pool', 'flush_waiter'),
    threadfn: l.offset('task_struct', 'threadfn'),
    next: l.offset('list_head', 'next'),
    prev: l.offset('list_head', 'prev'),
  };
  const kworkers = () => kernel.tasks.list().filter((t) => m.readU64(t.address + off.threadfn) === workerThread);
  const nrWorkers = BigInt(l.size('worker_pool') - Number(off.waiter)) / 8n;
  const head = pool + off.worklist;
  const pending = (work: bigint) => (m.readU64(work + off.data) & PENDING) !== 0n;
  const setPending = (work: bigint, on: boolean) => m.writeU64(work + off.data, on ? m.readU64(work + off.data) | PENDING : m.readU64(work + off.data) & ~PENDING);
  const queued = (work: bigint) => {
    for (let e = m.readU64(head + off.next); e !== head && e !== 0n; e = m.readU64(e + off.next)) if (e === work + off.entry) return true;
    return false;
  };
  const enqueue = (work: bigint) => {
    const entry = work + off.entry;
    const last = m.readU64(head + off.prev);
    m.writeU64(entry + off.next, head);
    m.writeU64(entry + off.prev, last);
    m.writeU64(last + off.next, entry);
    m.writeU64(head + off.prev, entry);
    const idle = kworkers().find((t) => t.stateValue === TASK_INTERRUPTIBLE);
    if (idle) kernel.tasks.wake(idle);
  };
  const unlink = (work: bigint): boolean => {
    if (!queued(work)) return false;
    const entry = work + off.entry;
    const next = m.readU64(entry + off.next);
    const prev = m.readU64(entry + off.prev);
    m.writeU64(prev + off.next, next);
    m.writeU64(next + off.prev, prev);
    m.writeU64(entry + off.next, entry);
    m.writeU64(entry + off.prev, entry);
    return true;
  };
  const runningOn = (work: bigint): bigint | undefined => {
    for (let i = 0n; i < nrWorkers; i++) if (m.readU64(pool + off.current + 8n * i) === work) return i;
    return undefined;
  };
  const queueWork = (work: bigint): bigint => {
    if (pending(work)) return 0n;
    setPending(work, true);
    enqueue(work);
    return 1n;
  };
  const queueDelayed = (dwork: bigint, wq: bigint, cpu: bigint, delay: bigint): void => {
    m.writeU64(dwork + off.wq, wq);
    m.writeU32(dwork + off.cpu, Number(cpu & 0xffffffffn));
    if (delay === 0n) {
      enqueue(dwork);
      return;
    }
    timers.arm(dwork + off.timer, kernel.clock.jiffies + delay, () => enqueue(dwork));
  };
  /** Cancels a pending item (its timer or its place on the worklist); returns whether it was pending. */
  const cancel = (work: bigint, delayed: boolean): boolean => {
    const wasPending = pending(work);
    if (delayed) timers.cancel(work + off.timer);
    unlink(work);
    setPending(work, false);
    return wasPending;
  };
  /** Sleeps until no kworker runs `work` (flush_work's wait); the kworker wakes the waiter. */
  const waitIdle = (work: bigint, result: bigint) =>
    waitLoop(
      kernel,
      TASK_UNINTERRUPTIBLE,
      () => (runningOn(work) === undefined && !pending(work) ? result : undefined),
      (task) => {
        const i = runningOn(work);
        // Queued but not started: yield, so a kworker takes it (the task stays runnable).
        if (i === undefined) return TASK_RUNNING;
        m.writeU64(pool + off.waiter + 8n * i, task.address);
        return undefined;
      },
    );

  for (const name of SYSTEM_WORKQUEUES) m.writeU64(defineData(kernel, name, 8n), kernel.heap.alloc(64n, true));
  defineCall(kernel, '__init_work', () => undefined);
  defineCall(kernel, 'queue_work_on', (ctx) => queueWork(ctx.arg(2)));
  defineCall(kernel, 'queue_delayed_work_on', (ctx) => {
    const dwork = ctx.arg(2);
    if (pending(dwork)) return 0n;
    setPending(dwork, true);
    queueDelayed(dwork, ctx.arg(1), ctx.arg(0), ctx.arg(3));
    return 1n;
  });
  defineCall(kernel, 'mod_delayed_work_on', (ctx) => {
    const dwork = ctx.arg(2);
    const was = cancel(dwork, true);
    setPending(dwork, true);
    queueDelayed(dwork, ctx.arg(1), ctx.arg(0), ctx.arg(3));
    return was ? 1n : 0n;
  });
  // The timer function INIT_DELAYED_WORK installs: queues the work when its delay is over.
  defineCall(kernel, 'delayed_work_timer_fn', (ctx) => enqueue(ctx.arg(0) - off.timer));
  defineCall(kernel, 'cancel_work', (ctx) => (cancel(ctx.arg(0), false) ? 1n : 0n));
  defineCall(kernel, 'cancel_delayed_work', (ctx) => (cancel(ctx.arg(0), true) ? 1n : 0n));
  defineSteps(kernel, 'cancel_work_sync', (ctx) => waitIdle(ctx.arg(0), cancel(ctx.arg(0), false) ? 1n : 0n));
  defineSteps(kernel, 'cancel_delayed_work_sync', (ctx) => waitIdle(ctx.arg(0), cancel(ctx.arg(0), true) ? 1n : 0n));
  defineSteps(kernel, 'flush_work', (ctx) => waitIdle(ctx.arg(0), runningOn(ctx.arg(0)) !== undefined || pending(ctx.arg(0)) ? 1n : 0n));
  defineSteps(kernel, 'flush_delayed_work', (ctx) => {
    const dwork = ctx.arg(0);
    if (timers.cancel(dwork + off.timer)) enqueue(dwork);
    return waitIdle(dwork, 1n);
  });
  const flushAll = () => {
    const busy = () => m.readU64(head + off.next) !== head || [...Array(Number(nrWorkers)).keys()].some((i) => m.readU64(pool + off.current + 8n * BigInt(i)) !== 0n);
    return waitLoop(
      kernel,
      TASK_UNINTERRUPTIBLE,
      () => (busy() ? undefined : 0n),
      (task) => {
        for (let i = 0n; i < nrWorkers; i++) {
          if (m.readU64(pool + off.current + 8n * i) !== 0n) {
            m.writeU64(pool + off.waiter + 8n * i, task.address);
            return undefined;
          }
        }
        return TASK_RUNNING;
      },
    );
  };
  defineSteps(kernel, '__flush_workqueue', flushAll);
  defineSteps(kernel, 'flush_workqueue', flushAll);
  defineCall(kernel, 'alloc_workqueue', () => kernel.heap.alloc(64n, true));
  defineSteps(kernel, 'destroy_workqueue', (ctx) => {
    const wq = ctx.arg(0);
    return andThen(flushAll(), (r) => {
      kernel.heap.free(wq);
      return r;
    });
  });
  if (nrWorkers <= 0n) throw new EmulatorError(`${kernel.targetPath}: worker_pool has no kworker slots`);
}
