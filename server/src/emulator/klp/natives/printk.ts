import { hex16 } from '../../addr';
import { STRING_LIMIT, varargs } from '../../builtinNatives';
import { NativeContext } from '../../natives';
import { formatPrintf } from '../../printk';
import type { KernelServices } from '../kernelServices';
import { defineCall } from './define';

/** printf-style formatting of a native's arguments from `formatArg` on, the KERN_* prefix kept apart. */
export function formatArgs(ctx: NativeContext, formatArg: number): { level: string; text: string } {
  const format = ctx.memory.readCString(ctx.arg(formatArg), STRING_LIMIT);
  const text = formatPrintf(format, { ...varargs(ctx, formatArg + 1), pointer: linuxPointer });
  return { level: format.charCodeAt(0) === 1 && format.length > 1 ? format.slice(0, 2) : '', text };
}

/**
 * The kernel's %p (lib/vsprintf.c): a plain %p prints a hash of the pointer, never its value, as
 * 16 hex digits (the hash is 32 bits on x86-64, so the first 8 are 0); the hash here is a fixed
 * mix, so runs are reproducible. %px prints the value, %pK (kptr_restrict 0) the hash too.
 */
function linuxPointer(value: bigint, extension: string): { text: string; consumed: boolean } {
  if (extension === 'x') return { text: hex16(value), consumed: true };
  let h = 0x811c9dc5;
  for (let i = 0n; i < 64n; i += 8n) h = Math.imul(h ^ Number((value >> i) & 0xffn), 0x01000193) >>> 0;
  return { text: hex16(h), consumed: extension === 'K' };
}

/**
 * printk / _printk (6.1's name; pr_info and friends expand to it): the message goes to the kernel
 * log at its KERN_* level (default KERN_WARNING's 4), and to the machine's console. Returns the
 * length printed, as vprintk_emit does.
 */
export function definePrintk(kernel: KernelServices): void {
  const printk = (ctx: NativeContext) => {
    const { level, text } = formatArgs(ctx, 0);
    kernel.log.printk(level + text);
    ctx.print(text);
    return BigInt(text.length);
  };
  defineCall(kernel, 'printk', printk);
  defineCall(kernel, '_printk', printk);
  // dump_stack(): the current task's call trace, as the kernel prints it after a WARN.
  defineCall(kernel, 'dump_stack', () => {
    const task = kernel.tasks.current();
    kernel.log.printk(`\x014CPU: 0 PID: ${task.pid} Comm: ${task.comm}\n\x014Call Trace:\n`);
    for (const f of task.stackFunctions()) kernel.log.printk(`\x014 ${kernel.machine.describe(f)}\n`);
  });
}
