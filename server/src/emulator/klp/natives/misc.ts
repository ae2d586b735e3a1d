import type { KernelServices } from '../kernelServices';
import { defineCall } from './define';

/**
 * What kernel headers turn common code into on one CPU without preemption: spinlocks that never
 * spin, interrupt flags that are saved and restored (X86_EFLAGS_IF), the list-debugging checks
 * (always valid), might_sleep's and cond_resched's static calls (no-ops: tasks yield only by
 * sleeping), module references.
 */
export function defineMisc(kernel: KernelServices): void {
  const X86_EFLAGS_IF = 0x200n;
  for (const name of [
    '_raw_spin_lock',
    '_raw_spin_unlock',
    '_raw_spin_lock_bh',
    '_raw_spin_unlock_bh',
    '_raw_spin_lock_irq',
    '_raw_spin_unlock_irq',
    '_raw_spin_unlock_irqrestore',
  ])
    defineCall(kernel, name, () => undefined);
  defineCall(kernel, '_raw_spin_lock_irqsave', () => X86_EFLAGS_IF);
  defineCall(kernel, '_raw_spin_trylock', () => 1n);
  for (const name of ['__list_add_valid', '__list_del_entry_valid']) defineCall(kernel, name, () => 1n);
  for (const name of ['__SCT__might_resched', '__SCT__cond_resched', '__might_sleep', '__might_resched', '__cond_resched']) defineCall(kernel, name, () => 0n);
  defineCall(kernel, 'try_module_get', (ctx) => {
    const mod = kernel.modules.list().find((x) => x.thisModule === ctx.arg(0));
    if (mod) mod.refcount++;
    return 1n;
  });
  defineCall(kernel, 'module_put', (ctx) => {
    const mod = kernel.modules.list().find((x) => x.thisModule === ctx.arg(0));
    if (mod && mod.refcount > 0) mod.refcount--;
  });
}
