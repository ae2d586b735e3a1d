import { bindNative } from '../../nativeBinding';
import type { KernelServices } from '../kernelServices';
import { defineParamOps } from '../moduleParams';
import { defineData } from './define';
import { defineMisc } from './misc';
import { definePrintk } from './printk';
import { defineSeqFile } from './seqFile';
import { defineShadowVariables, ShadowVariables } from './shadow';
import { defineSlab } from './slab';
import { defineSleep } from './sleep';
import { defineSync } from './sync';
import { defineTimerLists, TimerLists } from './timerList';
import { defineWorkqueues } from './workqueue';

/** Target functions the kernel model implements instead (their entry jumps to the native). */
const TARGET_OVERRIDES = ['printk', 'seq_printf'];

/** The kernel API modules link against, as natives (and the data symbols they read). */
export function defineKernelNatives(kernel: KernelServices): { shadows: ShadowVariables; timers: TimerLists } {
  const timers = new TimerLists(kernel);
  const shadows = new ShadowVariables(kernel);
  definePrintk(kernel);
  defineSlab(kernel);
  defineSleep(kernel);
  defineSync(kernel);
  defineTimerLists(kernel, timers);
  // Over the sample target's kworker pool; a real vmlinux's workqueues are its own code.
  if (kernel.machine.symbols.get('cpu_worker_pool')) defineWorkqueues(kernel, timers);
  defineShadowVariables(kernel, shadows);
  defineSeqFile(kernel);
  defineMisc(kernel);
  defineParamOps(kernel, (name, size) => defineData(kernel, name, size));
  return { shadows, timers };
}

/**
 * The target's printk writes into a 4 KiB log_buf that fills up; its seq_printf knows a few
 * conversions. Their entries become jumps to the natives, so the target's messages reach the
 * kernel log with stamps and levels, and /proc output is formatted exactly. Runs after ftrace
 * has NOPed the call sites, and takes these functions out of ftrace's reach.
 */
export function overrideTargetFunctions(kernel: KernelServices): void {
  const machine = kernel.machine;
  for (const name of TARGET_OVERRIDES) {
    const fn = machine.symbols.global(name);
    if (fn && bindNative(machine, name)) kernel.ftrace.forget(fn.address);
  }
}
