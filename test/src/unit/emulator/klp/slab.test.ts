import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootSample, buildModule, insmod } from './support/kernel';
import { callAtomic } from './support/calls';

// kmalloc and friends as Linux 6.1 headers call them: __kmalloc for a variable size,
// kmalloc_trace(cache, flags, size) for a constant one, __GFP_ZERO for kzalloc.

const source = `
#include <linux/module.h>
#include <linux/slab.h>
void *kmalloc_trace(void *cache, gfp_t flags, size_t size);
void *t_kmalloc(unsigned long n) { return kmalloc(n, GFP_KERNEL); }
void *t_kzalloc(unsigned long n) { return kzalloc(n, GFP_KERNEL); }
void *t_trace(unsigned long n, unsigned int flags) { return kmalloc_trace(0, flags, n); }
void t_kfree(void *p) { kfree(p); }
void t_fill(unsigned char *p, unsigned long n) { while (n--) *p++ = 0xa5; }
static int i(void) { return 0; }
static void e(void) { }
module_init(i);
module_exit(e);
`;

test('kmalloc hands out distinct objects; kfree makes one reusable; kzalloc and __GFP_ZERO zero it; the live count follows', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('slab-test', source));
  const before = kernel.heap.liveObjects;
  const a = callAtomic(kernel, 't_kmalloc', 24n);
  const b = callAtomic(kernel, 't_kmalloc', 24n);
  assert.notEqual(a, 0n);
  assert.notEqual(a, b);
  assert.ok(b - a >= 24n || a - b >= 24n, 'objects do not overlap');
  assert.equal(kernel.heap.liveObjects, before + 2);
  callAtomic(kernel, 't_fill', a, 24n);
  callAtomic(kernel, 't_kfree', a);
  assert.equal(kernel.heap.liveObjects, before + 1);
  const c = callAtomic(kernel, 't_kzalloc', 20n);
  assert.equal(c, a, 'the freed object of the same size class is reused');
  assert.deepEqual([...kernel.machine.memory.read(c, 20)], new Array(20).fill(0));
  callAtomic(kernel, 't_fill', c, 20n);
  callAtomic(kernel, 't_kfree', c);
  const d = callAtomic(kernel, 't_trace', 16n, 0xcc0n | 0x100n);
  assert.deepEqual([...kernel.machine.memory.read(d, 16)], new Array(16).fill(0), 'kmalloc_trace with __GFP_ZERO');
  callAtomic(kernel, 't_kfree', 0n);
});

test('a double kfree is an oops in the log, not a crash: the kernel keeps running', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('slab-test', source));
  const a = callAtomic(kernel, 't_kmalloc', 8n);
  callAtomic(kernel, 't_kfree', a);
  const result = kernel.callAtomic('t_kfree', [a]);
  assert.equal(result.status, 'fault');
  assert.ok(kernel.log.entries().some((e) => e.text.startsWith('BUG: kernel BUG at mm/slub.c: kfree(')));
  assert.notEqual(callAtomic(kernel, 't_kmalloc', 8n), 0n);
});
