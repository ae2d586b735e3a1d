import { bindNative } from '../../nativeBinding';
import type { KernelServices } from '../kernelServices';
import { REAL_TIMED_SLEEP_NATIVES } from './timedSleeps';
import { REAL_WORKQUEUE_NATIVES } from './workqueues';

/**
 * The kernel model's natives that replace the real vmlinux's own function of the same name, each
 * where boot left nothing for the real one to work on, or where the emulated runtime is the
 * point: the slab and vmalloc allocators (kmem_cache_init never ran: every kmalloc_caches entry
 * is NULL), the log store (realImage/printkStore.ts), the livepatch core and shadow variables
 * (klp/livepatch), module references (the model counts them), dump_stack (the model's
 * unwinder), the workqueues (realImage/workqueues.ts), the context switch and the run queue
 * (__schedule and try_to_wake_up, realImage/scheduler.ts), and the timers and clock under the
 * timed sleeps (realImage/timedSleeps.ts). Everything else a module or the image calls is the
 * image's own code.
 */
const REAL_IMAGE_NATIVES = [
  '__kmalloc',
  '__kmalloc_node',
  'kmalloc_large',
  'kmalloc_trace',
  'kmalloc_node_trace',
  'kfree',
  'kvfree',
  'kfree_sensitive',
  'ksize',
  'krealloc',
  'kstrdup',
  'kmemdup',
  'vmalloc',
  'vzalloc',
  'vfree',
  'vprintk_emit',
  'dump_stack',
  'try_module_get',
  'module_put',
  'klp_enable_patch',
  'klp_shadow_get',
  'klp_shadow_alloc',
  'klp_shadow_get_or_alloc',
  'klp_shadow_free',
  'klp_shadow_free_all',
  ...REAL_WORKQUEUE_NATIVES,
  '__schedule',
  'try_to_wake_up',
  ...REAL_TIMED_SLEEP_NATIVES,
];

/** Binds those natives at the image's functions (out of ftrace's reach then); returns the bound names. */
export function bindRealImageNatives(kernel: KernelServices): string[] {
  const machine = kernel.machine;
  const bound: string[] = [];
  for (const name of REAL_IMAGE_NATIVES) {
    const fn = machine.symbols.get(name);
    if (!fn || machine.natives.id(name) === undefined || !bindNative(machine, name)) continue;
    kernel.ftrace.forget(fn.address);
    bound.push(name);
  }
  return bound;
}
