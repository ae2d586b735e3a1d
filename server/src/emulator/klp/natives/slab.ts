import type { KernelServices } from '../kernelServices';
import { defineCall, defineData } from './define';

/** ___GFP_ZERO in 6.1's gfp_types.h. */
const GFP_ZERO = 0x100n;
/** NR_KMALLOC_TYPES x (KMALLOC_SHIFT_HIGH + 1) on x86-64 6.1. */
const KMALLOC_CACHES_SIZE = 4n * 14n * 8n;

/**
 * The slab allocator entry points 6.1 headers emit: kmalloc() of a constant size becomes
 * kmalloc_trace(kmalloc_caches[type][index], flags, size), of a variable size __kmalloc(size,
 * flags); kzalloc adds __GFP_ZERO. The caches are opaque here: the size decides.
 */
export function defineSlab(kernel: KernelServices): void {
  const heap = kernel.heap;
  const zero = (flags: bigint) => (flags & GFP_ZERO) !== 0n;
  defineData(kernel, 'kmalloc_caches', KMALLOC_CACHES_SIZE);
  defineCall(kernel, '__kmalloc', (ctx) => heap.alloc(ctx.arg(0), zero(ctx.arg(1))));
  defineCall(kernel, '__kmalloc_node', (ctx) => heap.alloc(ctx.arg(0), zero(ctx.arg(1))));
  defineCall(kernel, 'kmalloc_large', (ctx) => heap.alloc(ctx.arg(0), zero(ctx.arg(1))));
  defineCall(kernel, 'kmalloc_trace', (ctx) => heap.alloc(ctx.arg(2), zero(ctx.arg(1))));
  defineCall(kernel, 'kmalloc_node_trace', (ctx) => heap.alloc(ctx.arg(3), zero(ctx.arg(1))));
  // Before 6.1: kmem_cache_alloc_trace(cache, flags, size).
  defineCall(kernel, 'kmem_cache_alloc_trace', (ctx) => heap.alloc(ctx.arg(2), zero(ctx.arg(1))));
  defineCall(kernel, 'kmalloc', (ctx) => heap.alloc(ctx.arg(0), zero(ctx.arg(1))));
  defineCall(kernel, 'kzalloc', (ctx) => heap.alloc(ctx.arg(0), true));
  defineCall(kernel, 'vmalloc', (ctx) => heap.alloc(ctx.arg(0)));
  defineCall(kernel, 'vzalloc', (ctx) => heap.alloc(ctx.arg(0), true));
  for (const name of ['kfree', 'kvfree', 'vfree', 'kfree_sensitive']) defineCall(kernel, name, (ctx) => heap.free(ctx.arg(0)));
  defineCall(kernel, 'ksize', (ctx) => heap.sizeOf(ctx.arg(0)) ?? 0n);
  defineCall(kernel, 'krealloc', (ctx) => {
    const [old, size] = [ctx.arg(0), ctx.arg(1)];
    const fresh = heap.alloc(size, zero(ctx.arg(2)));
    if (old !== 0n && old !== 16n && fresh !== 0n) {
      const keep = heap.sizeOf(old) ?? 0n;
      ctx.memory.write(fresh, ctx.memory.read(old, Number(keep < size ? keep : size)));
      heap.free(old);
    }
    return fresh;
  });
  defineCall(kernel, 'kstrdup', (ctx) => (ctx.arg(0) === 0n ? 0n : heap.string(ctx.memory.readCString(ctx.arg(0), 1 << 20))));
  defineCall(kernel, 'kmemdup', (ctx) => {
    const copy = heap.alloc(ctx.arg(1));
    if (copy !== 0n) ctx.memory.write(copy, ctx.memory.read(ctx.arg(0), Number(ctx.arg(1))));
    return copy;
  });
}
