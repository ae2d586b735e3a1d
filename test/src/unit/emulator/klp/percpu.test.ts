import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootSample, buildModule, insmod } from './support/kernel';
import { callAtomic } from './support/calls';

// %gs-relative accesses: gcc's -mcmodel=kernel stack protector reads the canary at %gs:40, as
// Debian's modules (CONFIG_STACKPROTECTOR_STRONG) do in every function with an array.

const source = `
#include <linux/module.h>
long t_canary(void) { long v; __asm__ volatile("movq %%gs:40, %0" : "=r"(v)); return v; }
long t_sum(long n) { volatile char buf[32]; long i, s = 0; for (i = 0; i < 32; i++) buf[i] = (char)(i + n); for (i = 0; i < 32; i++) s += buf[i]; return s; }
long t_smash(long n) { volatile char buf[8]; long i; for (i = 0; i < n; i++) buf[i] = 0x41; return buf[0]; }
static int i(void) { return 0; }
static void e(void) { }
module_init(i);
module_exit(e);
`;

test('%gs:40 reads the per-CPU canary; stack-protected functions run, and smashing the stack is caught', () => {
  const kernel = bootSample();
  insmod(kernel, buildModule('percpu-test', source, ['-fstack-protector-all']));
  assert.equal(callAtomic(kernel, 't_canary'), kernel.percpu.canary);
  assert.equal(callAtomic(kernel, 't_sum', 1n), BigInt([...Array(32).keys()].reduce((a, i) => a + i + 1, 0)));
  const smashed = kernel.callAtomic('t_smash', [12n]);
  assert.equal(smashed.status, 'fault');
  assert.match(smashed.fault!.message, /stack smashing detected/);
});
