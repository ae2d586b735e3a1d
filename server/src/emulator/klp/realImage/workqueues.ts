import type { KernelServices } from '../kernelServices';
import { defineCall } from '../natives/define';

/** WORK_STRUCT_PENDING: bit 0 of work_struct.data. */
const PENDING = 1n;

/**
 * Workqueues on a real vmlinux, whose workqueue_init_early() never ran (system_wq is NULL, no
 * kworker pool): a queued item's PENDING bit is set and a timer of the kernel model runs it at
 * its time (`delay` jiffies on; no delay: as soon as the queueing process is done), clearing the bit first as process_one_work() does, so the item
 * may queue itself again; `runWork` runs work->func(work) in a kworker process to the end.
 * Cancelling takes a pending item off its timer. Every workqueue is the same queue here.
 */
export function defineRealWorkqueues(kernel: KernelServices, runWork: (func: bigint, work: bigint) => void): void {
  const m = kernel.machine.memory;
  const off = { data: kernel.layout.offset('work_struct', 'data'), func: kernel.layout.offset('work_struct', 'func') };
  const timers = new Map<bigint, number>();
  const setPending = (work: bigint, on: boolean) => m.writeU64(work + off.data, on ? m.readU64(work + off.data) | PENDING : m.readU64(work + off.data) & ~PENDING);
  const queue = (work: bigint, delay: bigint): bigint => {
    if (m.readU64(work + off.data) & PENDING) return 0n;
    setPending(work, true);
    const at = kernel.clock.nsAtJiffies(kernel.clock.jiffies + delay);
    const id = kernel.timers.add(at, () => {
      timers.delete(work);
      setPending(work, false);
      runWork(m.readU64(work + off.func), work);
    });
    timers.set(work, id);
    return 1n;
  };
  const cancel = (work: bigint): bigint => {
    const id = timers.get(work);
    if (id === undefined) return 0n;
    kernel.timers.cancel(id);
    timers.delete(work);
    setPending(work, false);
    return 1n;
  };
  // (cpu, wq, work[, delay]): a delayed_work starts with its work_struct.
  defineCall(kernel, 'queue_work_on', (ctx) => queue(ctx.arg(2), 0n));
  defineCall(kernel, 'queue_delayed_work_on', (ctx) => queue(ctx.arg(2), ctx.arg(3)));
  defineCall(kernel, 'mod_delayed_work_on', (ctx) => {
    const was = cancel(ctx.arg(2));
    queue(ctx.arg(2), ctx.arg(3));
    return was;
  });
  // Nothing runs while the caller does: an item is pending or idle, never running, so _sync has nothing to wait for.
  for (const name of ['cancel_work', 'cancel_work_sync', 'cancel_delayed_work', 'cancel_delayed_work_sync']) defineCall(kernel, name, (ctx) => cancel(ctx.arg(0)));
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
];
