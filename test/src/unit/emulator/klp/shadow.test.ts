import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootSample, buildModule, insmod } from './support/kernel';
import { callAtomic, signed } from './support/calls';

// Shadow variables, as Documentation/livepatch/shadow-vars.rst describes them.

const source = `
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/slab.h>
static long ctor_calls, dtor_sum;
static int ctor(void *obj, void *shadow_data, void *ctor_data) { ctor_calls++; *(long *)shadow_data = *(long *)ctor_data; return 0; }
static int failing_ctor(void *obj, void *shadow_data, void *ctor_data) { return -12; }
static void dtor(void *obj, void *shadow_data) { dtor_sum += *(long *)shadow_data; }
long t_alloc(void *obj, unsigned long id, long value) { long *p = klp_shadow_alloc(obj, id, sizeof(long), GFP_KERNEL, ctor, &value); return p ? *p : -1; }
long t_alloc_zeroed(void *obj, unsigned long id) { long *p = klp_shadow_alloc(obj, id, 64, GFP_KERNEL, 0, 0); long s = 0; int i; if (!p) return -1; for (i = 0; i < 8; i++) s |= p[i]; return s; }
long t_get_or_alloc(void *obj, unsigned long id, long value) { long *p = klp_shadow_get_or_alloc(obj, id, sizeof(long), GFP_KERNEL, ctor, &value); return p ? *p : -1; }
long t_get(void *obj, unsigned long id) { long *p = klp_shadow_get(obj, id); return p ? *p : -1; }
long t_fail(void *obj, unsigned long id) { return klp_shadow_alloc(obj, id, 8, GFP_KERNEL, failing_ctor, 0) == 0; }
void t_free(void *obj, unsigned long id) { klp_shadow_free(obj, id, dtor); }
void t_free_all(unsigned long id) { klp_shadow_free_all(id, dtor); }
long t_ctor_calls(void) { return ctor_calls; }
long t_dtor_sum(void) { return dtor_sum; }
static int i(void) { return 0; }
static void e(void) { }
module_init(i);
module_exit(e);
`;

const OBJ_A = 0xffff888000100000n;
const OBJ_B = 0xffff888000100040n;

test('alloc runs the constructor before the variable is visible; get finds it by <obj, id> only', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('shadow-test', source));
  assert.equal(callAtomic(kernel, 't_alloc', OBJ_A, 1n, 41n), 41n);
  assert.equal(callAtomic(kernel, 't_ctor_calls'), 1n);
  assert.equal(callAtomic(kernel, 't_get', OBJ_A, 1n), 41n);
  assert.equal(signed(callAtomic(kernel, 't_get', OBJ_A, 2n)), -1n, 'another id');
  assert.equal(signed(callAtomic(kernel, 't_get', OBJ_B, 1n)), -1n, 'another object');
  assert.equal(callAtomic(kernel, 't_alloc_zeroed', OBJ_B, 7n), 0n, 'without a constructor the data is zeroed');
});

test('alloc of an existing pair WARNs and returns NULL; get_or_alloc returns the existing one without a constructor call', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('shadow-test', source));
  callAtomic(kernel, 't_alloc', OBJ_A, 1n, 5n);
  assert.equal(signed(callAtomic(kernel, 't_alloc', OBJ_A, 1n, 6n)), -1n);
  const texts = kernel.log.entries().map((e) => e.text);
  assert.ok(texts.includes(`Duplicate shadow variable <${OBJ_A.toString(16)},1>`), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('WARNING: CPU: 0 PID: 0 at kernel/livepatch/shadow.c')));
  assert.equal(callAtomic(kernel, 't_get_or_alloc', OBJ_A, 1n, 7n), 5n);
  assert.equal(callAtomic(kernel, 't_ctor_calls'), 1n);
  assert.equal(callAtomic(kernel, 't_get_or_alloc', OBJ_B, 1n, 7n), 7n);
  assert.equal(callAtomic(kernel, 't_ctor_calls'), 2n);
});

test("a constructor's error frees the variable and returns NULL, with the kernel's message", () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('shadow-test', source));
  const live = kernel.heap.liveObjects;
  assert.equal(callAtomic(kernel, 't_fail', OBJ_A, 3n), 1n);
  assert.equal(signed(callAtomic(kernel, 't_get', OBJ_A, 3n)), -1n);
  assert.equal(kernel.heap.liveObjects, live);
  assert.ok(kernel.log.entries().some((e) => e.text === `livepatch: Failed to construct shadow variable <${OBJ_A.toString(16)},3> (-12)`));
});

test('free runs the destructor for one pair; free_all for every object with the id, and only those', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('shadow-test', source));
  callAtomic(kernel, 't_alloc', OBJ_A, 1n, 1n);
  callAtomic(kernel, 't_alloc', OBJ_B, 1n, 10n);
  callAtomic(kernel, 't_alloc', OBJ_A, 2n, 100n);
  callAtomic(kernel, 't_alloc', OBJ_B, 2n, 1000n);
  const live = kernel.heap.liveObjects;
  callAtomic(kernel, 't_free', OBJ_A, 2n);
  assert.equal(callAtomic(kernel, 't_dtor_sum'), 100n);
  assert.equal(kernel.heap.liveObjects, live - 1);
  callAtomic(kernel, 't_free_all', 1n);
  assert.equal(callAtomic(kernel, 't_dtor_sum'), 111n);
  assert.equal(signed(callAtomic(kernel, 't_get', OBJ_B, 1n)), -1n);
  assert.equal(callAtomic(kernel, 't_get', OBJ_B, 2n), 1000n);
  assert.deepEqual(
    kernel.shadows.all().map((s) => [s.obj, s.id]),
    [[OBJ_B, 2n]],
  );
});
