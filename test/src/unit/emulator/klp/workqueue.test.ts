import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, bootSample, buildModule, insmod, newLog, sh } from './support/kernel';
import { callAtomic, callInProcess } from './support/calls';

// Work items run by the target's kworker threads; delayed work waits on its timer first.

const source = `
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>
static struct delayed_work dwork;
static struct work_struct work;
static long runs, last_jiffies;
static void dwork_fn(struct work_struct *w) { runs++; last_jiffies = jiffies; msleep(500); pr_info("wq_test: delayed work done\\n"); }
static void work_fn(struct work_struct *w) { runs += 100; }
long t_queue_delayed(long delay) { return schedule_delayed_work(&dwork, delay); }
long t_queue(void) { return schedule_work(&work); }
long t_cancel_sync(void) { return cancel_delayed_work_sync(&dwork); }
long t_runs(void) { return runs; }
long t_last(void) { return last_jiffies; }
static int i(void) { INIT_DELAYED_WORK(&dwork, dwork_fn); INIT_WORK(&work, work_fn); return 0; }
static void e(void) { cancel_delayed_work_sync(&dwork); }
module_init(i);
module_exit(e);
`;

function setup() {
  const kernel = bootSample();
  insmod(kernel, buildModule('wq-test', source));
  return kernel;
}

test('queue_work runs the item on a kworker; queueing a pending item returns false', () => {
  const kernel = setup();
  assert.equal(callAtomic(kernel, 't_queue'), 1n);
  assert.equal(callAtomic(kernel, 't_queue'), 0n, 'already pending');
  kernel.runTasks();
  assert.equal(callAtomic(kernel, 't_runs'), 100n);
  assert.equal(callAtomic(kernel, 't_queue'), 1n, 'pending is cleared once it started');
});

test('delayed work runs when its delay in jiffies is over, on a kworker whose stack shows it while it sleeps', () => {
  const kernel = setup();
  const start = kernel.clock.jiffies;
  assert.equal(callAtomic(kernel, 't_queue_delayed', 100n), 1n);
  sh(kernel, 'sleep 0.2');
  assert.equal(callAtomic(kernel, 't_runs'), 0n, '0.2 s is 50 jiffies: not yet');
  sh(kernel, 'sleep 0.3');
  assert.equal(callAtomic(kernel, 't_runs'), 1n);
  assert.equal(callAtomic(kernel, 't_last'), start + 100n);
  const busy = kernel.tasks.list().find((t) => t.comm.startsWith('kworker/') && t.state === 'D')!;
  assert.ok(busy.stackFunctions().includes(addressOf(kernel, 'dwork_fn')));
  assert.ok(busy.stackFunctions().includes(addressOf(kernel, 'worker_thread')));
  sh(kernel, 'sleep 1');
  assert.deepEqual(newLog(kernel).slice(-1), ['wq_test: delayed work done']);
});

test('cancel_delayed_work_sync: a pending item is cancelled (true); a running one is waited for (false)', () => {
  const kernel = setup();
  callAtomic(kernel, 't_queue_delayed', 100n);
  assert.equal(callInProcess(kernel, 't_cancel_sync'), 1n);
  sh(kernel, 'sleep 1');
  assert.equal(callAtomic(kernel, 't_runs'), 0n);
  callAtomic(kernel, 't_queue_delayed', 0n);
  kernel.runTasks();
  const before = kernel.clock.ns;
  assert.equal(callInProcess(kernel, 't_cancel_sync'), 0n);
  assert.ok(kernel.clock.ns - before >= 500_000_000n, 'it returned only after the work function finished its msleep(500)');
  assert.equal(callAtomic(kernel, 't_runs'), 1n);
});

test('rmmod waits in cleanup for the running work (cancel_delayed_work_sync in exit)', () => {
  const kernel = setup();
  callAtomic(kernel, 't_queue_delayed', 0n);
  kernel.runTasks();
  assert.equal(sh(kernel, 'rmmod wq_test').exitCode, 0);
  assert.deepEqual(newLog(kernel).slice(-1), ['wq_test: delayed work done']);
  assert.equal(kernel.modules.get('wq_test'), undefined);
});
