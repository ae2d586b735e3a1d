import { hex16 } from '../../addr';
import { andThen, GuestStep } from '../guestCode';
import type { KernelServices } from '../kernelServices';
import { defineCall, defineSteps, int } from './define';

interface Shadow {
  obj: bigint;
  id: bigint;
  data: bigint;
}

/**
 * Shadow variables (kernel/livepatch/shadow.c): data attached to an existing object, found by
 * the pair <obj, id>. alloc and get_or_alloc hand out zeroed data and run the constructor on it
 * before it becomes visible; a constructor's error frees it and returns NULL; alloc of a pair
 * that exists WARNs and returns NULL; free and free_all run the destructor before freeing.
 */
export class ShadowVariables {
  private readonly shadows: Shadow[] = [];

  constructor(private readonly kernel: KernelServices) {}

  get(obj: bigint, id: bigint): Shadow | undefined {
    return this.shadows.find((s) => s.obj === obj && s.id === id);
  }

  /** Every shadow variable, for inspection (leaks, tests). */
  all(): readonly Shadow[] {
    return this.shadows;
  }

  alloc(obj: bigint, id: bigint, size: bigint, ctor: bigint, ctorData: bigint, warnOnDuplicate: boolean): GuestStep {
    const existing = this.get(obj, id);
    if (existing) {
      // %p as 16 raw hex digits (the real kernel hashes it; scenarios normalise it).
      if (warnOnDuplicate) this.warn(`Duplicate shadow variable <${hex16(obj)},${id.toString(16)}>`);
      return { result: warnOnDuplicate ? 0n : existing.data };
    }
    const data = this.kernel.heap.alloc(size, true);
    if (data === 0n) return { result: 0n };
    const publish = (): bigint => {
      // get_or_alloc: a constructor that made the same pair meanwhile wins (the kernel rechecks under the lock).
      const raced = this.get(obj, id);
      if (raced) {
        this.kernel.heap.free(data);
        return warnOnDuplicate ? 0n : raced.data;
      }
      this.shadows.push({ obj, id, data });
      return data;
    };
    if (ctor === 0n) return { result: publish() };
    return {
      call: ctor,
      args: [obj, data, ctorData],
      then: (ret) => {
        const err = int(ret);
        if (err !== 0n) {
          this.kernel.heap.free(data);
          this.kernel.log.printk(`\x013livepatch: Failed to construct shadow variable <${hex16(obj)},${id.toString(16)}> (${err})\n`);
          return { result: 0n };
        }
        return { result: publish() };
      },
    };
  }

  /** Removes the matching variables, running `dtor(obj, data)` on each first. */
  free(match: (s: Shadow) => boolean, dtor: bigint): GuestStep {
    const victims = this.shadows.filter(match);
    const next = (i: number): GuestStep => {
      if (i === victims.length) return { result: 0n };
      const s = victims[i];
      const release = () => {
        this.shadows.splice(this.shadows.indexOf(s), 1);
        this.kernel.heap.free(s.data);
      };
      if (dtor === 0n) {
        release();
        return next(i + 1);
      }
      return { call: dtor, args: [s.obj, s.data], then: () => (release(), next(i + 1)) };
    };
    return andThen(next(0), () => 0n);
  }

  private warn(message: string): void {
    const task = this.kernel.tasks.current();
    const log = this.kernel.log;
    log.printk('\x014------------[ cut here ]------------\n');
    log.printk(`\x014${message}\n`);
    log.printk(`\x014WARNING: CPU: 0 PID: ${task.pid} at kernel/livepatch/shadow.c:156 __klp_shadow_get_or_alloc\n`);
    log.printk('\x014---[ end trace 0000000000000000 ]---\n');
  }
}

export function defineShadowVariables(kernel: KernelServices, shadows: ShadowVariables): void {
  defineCall(kernel, 'klp_shadow_get', (ctx) => shadows.get(ctx.arg(0), ctx.arg(1))?.data ?? 0n);
  defineSteps(kernel, 'klp_shadow_alloc', (ctx) => shadows.alloc(ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(4), ctx.arg(5), true));
  defineSteps(kernel, 'klp_shadow_get_or_alloc', (ctx) => shadows.alloc(ctx.arg(0), ctx.arg(1), ctx.arg(2), ctx.arg(4), ctx.arg(5), false));
  defineSteps(kernel, 'klp_shadow_free', (ctx) => {
    const [obj, id] = [ctx.arg(0), ctx.arg(1)];
    return shadows.free((s) => s.obj === obj && s.id === id, ctx.arg(2));
  });
  defineSteps(kernel, 'klp_shadow_free_all', (ctx) => {
    const id = ctx.arg(0);
    return shadows.free((s) => s.id === id, ctx.arg(1));
  });
}
