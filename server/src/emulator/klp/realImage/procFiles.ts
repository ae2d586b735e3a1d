import { PAGE_SIZE } from '../../memory';
import { EIO } from '../errno';
import { FileError } from '../fs';
import type { KernelServices } from '../kernelServices';
import { ProcessEnded } from '../processEnded';

/**
 * The /proc files of a real vmlinux whose show function needs nothing boot did not set up
 * (fs/proc/cmdline.c, fs/proc/version.c): proc_create_single()'s single_open() show functions.
 */
const SINGLE_SHOW_FILES: Record<string, string> = {
  '/proc/cmdline': 'cmdline_proc_show',
  '/proc/version': 'version_proc_show',
};
/** seq_read() gives up on a record larger than this (it doubles the buffer from a page). */
const MAX_BUFFER = 1n << 22n;

/**
 * `cat` of those files: seq_read() of a single_open() file in a process of its own, the image's
 * show function (or whatever ftrace redirects it to: a live patch's replacement) writing into a
 * struct seq_file laid out as the image's DWARF says, retried with twice the buffer while it
 * overflows, as seq_read does.
 */
export function registerRealProcFiles(kernel: KernelServices): void {
  for (const [path, show] of Object.entries(SINGLE_SHOW_FILES)) {
    const fn = kernel.machine.symbols.get(show);
    if (fn) kernel.fs.register(path, { read: () => readSingleShow(kernel, 'cat', fn.address) });
  }
}

/** What a show function writes; `comm` names the process it runs in, undefined: on the idle task in atomic context. */
export function readSingleShow(kernel: KernelServices, comm: string | undefined, show: bigint): string {
  const l = kernel.layout;
  const m = kernel.machine.memory;
  const off = { buf: l.offset('seq_file', 'buf'), size: l.offset('seq_file', 'size'), count: l.offset('seq_file', 'count') };
  const file = kernel.heap.alloc(BigInt(l.size('seq_file')), true);
  try {
    for (let size = PAGE_SIZE; size <= MAX_BUFFER; size *= 2n) {
      const buffer = kernel.heap.alloc(size);
      try {
        m.writeU64(file + off.buf, buffer);
        m.writeU64(file + off.size, size);
        m.writeU64(file + off.count, 0n);
        const args = [file, 0n];
        if (comm === undefined) {
          const result = kernel.callAtomic(show, args);
          if (result.status !== 'returned') throw new FileError(EIO, result.fault?.message ?? result.stopReason ?? 'the show function did not return');
        } else {
          const result = kernel.syscall(comm, show, args);
          if (result.status !== 'returned') throw ProcessEnded.of(result);
        }
        const count = m.readU64(file + off.count);
        if (count < size) return Buffer.from(m.read(buffer, Number(count))).toString('latin1');
      } finally {
        kernel.heap.free(buffer);
      }
    }
    throw new FileError(EIO, `a record larger than ${MAX_BUFFER} bytes`);
  } finally {
    kernel.heap.free(file);
  }
}
