import type { KernelServices } from '../kernelServices';
import { defineSteps, int } from '../natives/define';

/** LOG_LINE_MAX (kernel/printk/printk.c): PRINTKRB_RECORD_MAX 1024 less the prefix room. */
const LOG_LINE_MAX = 1024n - 32n;

/**
 * vprintk_emit(facility, level, dev_info, fmt, args) of a real vmlinux, at the log store: the
 * image's own vsnprintf formats the message (every %p extension, field width and pr_fmt prefix
 * as the kernel's), and the text goes to the kernel model's log with its level, where the real
 * one would reserve a printk_ringbuffer record and wake the consoles. A level other than
 * LOGLEVEL_DEFAULT (-1) or LOGLEVEL_SCHED (-2) is the caller's (dev_printk, printk_emit).
 */
export function defineRealPrintkStore(kernel: KernelServices, vsnprintf: bigint): void {
  const heap = kernel.heap;
  defineSteps(kernel, 'vprintk_emit', (ctx) => {
    const level = int(ctx.arg(1));
    const buffer = heap.alloc(LOG_LINE_MAX + 1n);
    return {
      call: vsnprintf,
      args: [buffer, LOG_LINE_MAX + 1n, ctx.arg(3), ctx.arg(4)],
      then: (length) => {
        const text = ctx.memory.readCString(buffer, Number(LOG_LINE_MAX));
        heap.free(buffer);
        kernel.log.printk(level >= 0n ? `\x01${level}${text}` : text);
        // The console shows the message without its KERN_* prefix.
        ctx.print(text.charCodeAt(0) === 1 ? text.slice(2) : text);
        return { result: length };
      },
    };
  });
}
