import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, bootSample, buildModule, insmod, sh } from './support/kernel';
import { callAtomic, callInProcess, signed } from './support/calls';

// Sleeping and waking on the target's own scheduler: kthreads that wait on completions and
// mutexes and msleep, as kernel/sched/completion.c, kernel/locking/mutex.c and
// kernel/time/timer.c define them; the guest clock says when each wake-up happened.

const source = `
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
static DECLARE_COMPLETION(done);
static DEFINE_MUTEX(lock);
static long events[32];
static int nevents;
static void record(long what) { events[nevents++] = what; }
static int waiter(void *d) { record(-(long)d); wait_for_completion(&done); record((long)d); return 0; }
static int timed_waiter(void *d) { record(wait_for_completion_timeout(&done, (long)d) == 0 ? -1 : 1); record(jiffies); return 0; }
static int holder(void *d) { mutex_lock(&lock); record(100); msleep(100); record(101); mutex_unlock(&lock); return 0; }
static int contender(void *d) { mutex_lock(&lock); record((long)d); mutex_unlock(&lock); return 0; }
static int sleeper(void *d) { record(jiffies); msleep((long)d); record(jiffies); return 0; }
void t_waiters(long n) { long i; for (i = 1; i <= n; i++) kthread_run(waiter, (void *)i, "waiter"); }
void t_timed(long timeout) { kthread_run(timed_waiter, (void *)timeout, "timed"); }
void t_holder(void) { kthread_run(holder, 0, "holder"); }
void t_contender(void) { kthread_run(contender, (void *)200, "contender"); }
void t_sleeper(long ms) { kthread_run(sleeper, (void *)ms, "sleeper"); }
void t_complete(void) { complete(&done); }
void t_complete_all(void) { complete_all(&done); }
long t_event(long i) { return events[i]; }
long t_nevents(void) { return nevents; }
long t_trylock(void) { return mutex_trylock(&lock); }
void t_unlock(void) { mutex_unlock(&lock); }
long t_done(void) { return done.done; }
static int i(void) { return 0; }
static void e(void) { }
module_init(i);
module_exit(e);
`;

function events(kernel: ReturnType<typeof bootSample>): bigint[] {
  const n = Number(callAtomic(kernel, 't_nevents'));
  return Array.from({ length: n }, (_, i) => signed(callAtomic(kernel, 't_event', BigInt(i))));
}

function setup() {
  const kernel = bootSample();
  insmod(kernel, buildModule('sync-test', source));
  return kernel;
}

test('complete() lets waiters through one at a time, in the order they started waiting', () => {
  const kernel = setup();
  callAtomic(kernel, 't_waiters', 3n);
  kernel.runTasks();
  const waiters = kernel.tasks.list().filter((t) => t.comm === 'waiter');
  assert.equal(waiters.length, 3);
  for (const t of waiters) assert.equal(t.state, 'D', 'wait_for_completion sleeps uninterruptibly');
  const waiterFn = addressOf(kernel, 'waiter');
  assert.ok(
    waiters.every((t) => t.stackFunctions().includes(waiterFn)),
    'the waiting function is on each stack',
  );
  // The order they began to wait in (the target's scheduler runs the newest task first).
  const started = events(kernel).map((e) => -e);
  assert.deepEqual([...started].sort(), [1n, 2n, 3n]);
  callAtomic(kernel, 't_complete');
  kernel.runTasks();
  assert.deepEqual(events(kernel).slice(3), [started[0]]);
  callAtomic(kernel, 't_complete');
  kernel.runTasks();
  assert.deepEqual(events(kernel).slice(3), [started[0], started[1]]);
  assert.equal(kernel.tasks.list().filter((t) => t.comm === 'waiter').length, 1, 'the others have exited');
  assert.equal(callAtomic(kernel, 't_done'), 0n, 'each complete() was consumed by a waiter');
});

test('complete_all() releases every waiter and every later one', () => {
  const kernel = setup();
  callAtomic(kernel, 't_waiters', 2n);
  kernel.runTasks();
  callAtomic(kernel, 't_complete_all');
  kernel.runTasks();
  assert.deepEqual(
    events(kernel)
      .filter((e) => e > 0n)
      .sort(),
    [1n, 2n],
  );
  callAtomic(kernel, 't_waiters', 1n);
  kernel.runTasks();
  assert.deepEqual(events(kernel).slice(4), [-1n, 1n], 'done stays UINT_MAX: a new waiter passes at once');
});

test('wait_for_completion_timeout returns 0 when the timeout passes, at that jiffy', () => {
  const kernel = setup();
  const start = kernel.clock.jiffies;
  callAtomic(kernel, 't_timed', 50n);
  kernel.runTasks();
  sh(kernel, 'sleep 1');
  assert.deepEqual(events(kernel), [-1n, start + 50n]);
});

test('msleep sleeps msecs_to_jiffies(ms) + 1 jiffies and is not ended by a fake signal', () => {
  const kernel = setup();
  callAtomic(kernel, 't_sleeper', 10n);
  kernel.runTasks();
  const sleeper = kernel.tasks.list().find((t) => t.comm === 'sleeper')!;
  assert.equal(sleeper.state, 'D');
  assert.equal(kernel.tasks.wakeUp(sleeper), false, 'TASK_UNINTERRUPTIBLE ignores signals');
  sh(kernel, 'sleep 1');
  const [before, after] = events(kernel);
  assert.equal(after - before, 3n + 1n, 'HZ 250: 10 ms rounds up to 3 jiffies, plus one');
});

test('a mutex held across a sleep makes the contender wait until mutex_unlock', () => {
  const kernel = setup();
  callAtomic(kernel, 't_holder');
  kernel.runTasks();
  callAtomic(kernel, 't_contender');
  kernel.runTasks();
  assert.deepEqual(events(kernel), [100n]);
  const contender = kernel.tasks.list().find((t) => t.comm === 'contender')!;
  assert.equal(contender.state, 'D');
  assert.equal(callAtomic(kernel, 't_trylock'), 0n, 'trylock fails while it is held');
  sh(kernel, 'sleep 1');
  assert.deepEqual(events(kernel), [100n, 101n, 200n]);
  assert.equal(callAtomic(kernel, 't_trylock'), 1n);
  callAtomic(kernel, 't_unlock');
});

test('sleeping in atomic context (the idle task) is an oops, not a hang', () => {
  const kernel = setup();
  const result = kernel.callAtomic('msleep', [10n]);
  assert.equal(result.status, 'fault');
  assert.match(result.fault!.message, /scheduling while atomic/);
  assert.equal(callInProcess(kernel, 't_nevents'), 0n, 'the kernel still runs processes');
});
