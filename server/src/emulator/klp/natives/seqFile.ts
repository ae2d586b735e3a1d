import { NativeContext } from '../../natives';
import type { KernelServices } from '../kernelServices';
import { defineCall } from './define';
import { formatArgs } from './printk';

/**
 * seq_file output (fs/seq_file.c) into the target's struct seq_file: text is appended at
 * `count` while it fits in `size`; output that does not fit marks the buffer overflowed
 * (count = size), as seq_printf does so the reader retries with a bigger one. seq_printf
 * formats with the full printf language (glibc-exact), so modules and the target's own show
 * functions print the same.
 */
export function defineSeqFile(kernel: KernelServices): void {
  const m = kernel.machine.memory;
  const l = kernel.layout;
  if (!l.has('seq_file')) return;
  const off = { buf: l.offset('seq_file', 'buf'), size: l.offset('seq_file', 'size'), count: l.offset('seq_file', 'count') };
  const append = (sf: bigint, bytes: Uint8Array): bigint => {
    const size = m.readU64(sf + off.size);
    const count = m.readU64(sf + off.count);
    if (count + BigInt(bytes.length) > size) {
      m.writeU64(sf + off.count, size);
      return -1n;
    }
    m.write(m.readU64(sf + off.buf) + count, bytes);
    m.writeU64(sf + off.count, count + BigInt(bytes.length));
    return 0n;
  };
  const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  const printf = (ctx: NativeContext) => {
    append(ctx.arg(0), text(formatArgs(ctx, 1).text));
  };
  defineCall(kernel, 'seq_printf', printf);
  defineCall(kernel, 'seq_puts', (ctx) => {
    append(ctx.arg(0), text(m.readCString(ctx.arg(1), 1 << 20)));
  });
  defineCall(kernel, 'seq_putc', (ctx) => {
    append(ctx.arg(0), new Uint8Array([Number(ctx.arg(1) & 0xffn)]));
  });
  defineCall(kernel, 'seq_write', (ctx) => append(ctx.arg(0), m.read(ctx.arg(1), Number(ctx.arg(2)))));
}
