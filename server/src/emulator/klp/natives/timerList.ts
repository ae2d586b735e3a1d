import type { KernelServices } from '../kernelServices';
import { defineCall } from './define';

/**
 * struct timer_list timers (kernel/time/timer.c): a pending timer is a host timer at its
 * `expires` jiffy; when it fires, its function runs in softirq context (on the idle task, where
 * it may not sleep). Offsets come from the target's struct timer_list, the kernel's layout.
 */
export class TimerLists {
  private readonly pending = new Map<bigint, number>();
  private readonly off: { expires: bigint; function: bigint; flags: bigint };

  constructor(private readonly kernel: KernelServices) {
    const l = kernel.layout;
    this.off = { expires: l.offset('timer_list', 'expires'), function: l.offset('timer_list', 'function'), flags: l.offset('timer_list', 'flags') };
  }

  /** mod_timer(): (re)arms at `expires`, running `fire` (default: the timer's function); returns whether it was pending. */
  arm(timer: bigint, expires: bigint, fire?: () => void): boolean {
    const was = this.cancel(timer);
    const m = this.kernel.machine.memory;
    m.writeU64(timer + this.off.expires, expires);
    const at = this.kernel.clock.nsAtJiffies(expires);
    const id = this.kernel.timers.add(at > this.kernel.clock.ns ? at : this.kernel.clock.ns, () => {
      this.pending.delete(timer);
      if (fire) fire();
      else this.kernel.callAtomic(m.readU64(timer + this.off.function), [timer]);
    });
    this.pending.set(timer, id);
    return was;
  }

  /** del_timer(): returns whether it was pending. */
  cancel(timer: bigint): boolean {
    const id = this.pending.get(timer);
    if (id === undefined) return false;
    this.pending.delete(timer);
    return this.kernel.timers.cancel(id);
  }

  isPending(timer: bigint): boolean {
    return this.pending.has(timer);
  }

  init(timer: bigint, fn: bigint, flags: bigint): void {
    const m = this.kernel.machine.memory;
    m.write(timer, new Uint8Array(16));
    m.writeU64(timer + this.off.function, fn);
    m.writeU32(timer + this.off.flags, Number(flags & 0xffffffffn));
  }
}

export function defineTimerLists(kernel: KernelServices, timers: TimerLists): void {
  const m = kernel.machine.memory;
  defineCall(kernel, 'init_timer_key', (ctx) => timers.init(ctx.arg(0), ctx.arg(1), ctx.arg(2)));
  defineCall(kernel, 'add_timer', (ctx) => {
    timers.arm(ctx.arg(0), m.readU64(ctx.arg(0) + kernel.layout.offset('timer_list', 'expires')));
  });
  defineCall(kernel, 'mod_timer', (ctx) => (timers.arm(ctx.arg(0), ctx.arg(1)) ? 1n : 0n));
  for (const name of ['del_timer', 'del_timer_sync', 'timer_delete', 'timer_delete_sync']) defineCall(kernel, name, (ctx) => (timers.cancel(ctx.arg(0)) ? 1n : 0n));
  defineCall(kernel, 'timer_pending', (ctx) => (timers.isPending(ctx.arg(0)) ? 1n : 0n));
}
