import { ProcessEnded } from '../../../../server/out/emulator/klp/processEnded';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { LinuxKernel } from '../../../../server/out/emulator/klp/kernel';
import { ps } from '../../../../server/out/emulator/klp/shell';
import { Perm } from '../../../../server/out/emulator/memory';
import { configureLimits } from '../../../../server/out/limits';
import { kbuildSamples } from '../../support/kbuildSamples';
import { linuxShell } from '../../support/linuxShell';

// The scheduler of the emulated real vmlinux (realImage/scheduler.ts): processes on their own
// kernel stacks that sleep in the image's own msleep, schedule_timeout, wait_for_completion and
// are woken by its own wake_up_process and complete, while guest time advances.
const found = kbuildSamples({ vmlinux: true });
const skip = found.skip || false;
const vmlinux = found.samples?.vmlinux ?? '';
/** MAX_SCHEDULE_TIMEOUT (LONG_MAX). */
const MAX_SCHEDULE_TIMEOUT = (1n << 63n) - 1n;

function boot(options = {}) {
  const kernel = LinuxKernel.boot(vmlinux, options);
  const sh = linuxShell(kernel, found.samples!.modules);
  /** The kernel log lines a command printed, stamps kept. */
  const logOf = (text: string) => {
    const mark = kernel.log.mark();
    const result = sh(text);
    assert.equal(result.exitCode, 0, `${text}: ${result.stderr}`);
    return kernel.log.since(mark);
  };
  return { kernel, sh, logOf };
}

/** One kernel for the tests that leave it as they found it; the others boot their own. */
let shared: ReturnType<typeof boot>;
before(() => {
  if (!skip) shared = boot();
});

/** The `ps` line of the process named `comm`. */
const psLine = (kernel: LinuxKernel, comm: string) =>
  ps(kernel)
    .split('\n')
    .find((line) => line.includes(` ${comm} `)) ?? '';

test("a work item asleep in the image's msleep goes on once guest time reaches msleep's end: msecs_to_jiffies(ms) + 1 jiffies later", { skip }, () => {
  const { kernel, logOf } = shared;
  const started = logOf('insmod livepatch-callbacks-busymod.ko sleep_secs=2');
  assert.match(started.at(-1)!, /busymod_work_func, sleeping 2 seconds \.\.\.$/);
  // Asleep uninterruptibly in its own kworker, the functions on its stack as the livepatch core sees them.
  assert.match(psLine(kernel, 'kworker/0:1'), /^\s+\d+ D .*schedule <- schedule_timeout <- .*msleep.* <- busymod_work_func/);
  assert.deepEqual(logOf('sleep 1'), []);
  const woke = logOf('sleep 1.5');
  // kernel/time/timer.c: msleep(2000) sleeps msecs_to_jiffies(2000) + 1 jiffies, from a jiffy boundary at guest time 0.
  const jiffies = (2000 * kernel.HZ) / 1000 + 1;
  const at = ((jiffies * 1e6) / kernel.HZ).toFixed(0).padStart(7, '0');
  assert.deepEqual(woke, [`[    ${at.slice(0, -6)}.${at.slice(-6)}] livepatch_callbacks_busymod: busymod_work_func exit`]);
  assert.equal(psLine(kernel, 'kworker/0:1'), '', 'the kworker is gone once its item is done');
  logOf('rmmod livepatch_callbacks_busymod');
});

test('rmmod of busymod while its work sleeps: cancel_delayed_work_sync waits in rmmod for the running item, then the exit function goes on', { skip }, () => {
  const { kernel, logOf } = shared;
  logOf('insmod livepatch-callbacks-busymod.ko sleep_secs=3');
  const before = kernel.clock.ns;
  const lines = logOf('rmmod livepatch_callbacks_busymod').map((line) => line.replace(/^\[\s*\d+\.\d{6}\] /, ''));
  assert.deepEqual(lines, ['livepatch_callbacks_busymod: busymod_work_func exit', 'livepatch_callbacks_busymod: livepatch_callbacks_mod_exit']);
  assert.ok(kernel.clock.ns - before >= 3_000_000_000n, 'rmmod slept while the item ran');
  assert.equal(kernel.modules.get('livepatch_callbacks_busymod'), undefined);
});

test("a wake-up: wake_up_process ends the image's schedule_timeout_interruptible early, with the jiffies left; complete() ends wait_for_completion", { skip }, () => {
  const { kernel } = shared;
  const scheduler = kernel.scheduler!;
  const timeout = BigInt(10 * kernel.HZ);
  const sleeper = scheduler.spawn('sleeper', kernel.symbol('schedule_timeout_interruptible'), [timeout]);
  kernel.runTasks();
  assert.equal(sleeper.state, 'asleep');
  assert.match(psLine(kernel, 'sleeper'), /^\s+\d+ S .*schedule <- schedule_timeout/);
  const start = kernel.clock.ns;
  // A second process wakes it with the image's wake_up_process: true, it was asleep.
  const woken = kernel.syscall('waker', kernel.symbol('wake_up_process'), [sleeper.address]);
  assert.deepEqual(woken.status === 'returned' && woken.value, 1n);
  assert.equal(sleeper.ended?.status, 'returned');
  assert.equal(sleeper.ended?.rax, timeout, 'no guest time passed: every jiffy is left');
  assert.equal(kernel.clock.ns, start);

  // struct completion as init_completion() leaves it: done 0, an empty swait list.
  const l = kernel.layout;
  const m = kernel.machine.memory;
  const done = kernel.heap.alloc(BigInt(l.size('completion')), true);
  const list = done + l.offset('completion', 'wait.task_list');
  m.writeU64(list, list);
  m.writeU64(list + 8n, list);
  const waiter = scheduler.spawn('waiter', kernel.symbol('wait_for_completion'), [done]);
  kernel.runTasks();
  assert.equal(waiter.state, 'asleep');
  assert.match(psLine(kernel, 'waiter'), /^\s+\d+ D .*schedule <- .*__wait_for_common$/);
  assert.equal(kernel.syscall('completer', kernel.symbol('complete'), [done]).status, 'returned');
  assert.equal(waiter.ended?.status, 'returned');
  assert.equal(m.readU64(list), list, 'the swait list is empty again');
  assert.equal(m.readU32(done), 0, 'the waiter took the completion');
});

test(
  'a system call that sleeps forever (MAX_SCHEDULE_TIMEOUT, no waker) ends the command with a blocked-task report naming its stack; it stays asleep until woken',
  { skip },
  () => {
    const { kernel } = shared;
    const mark = kernel.log.mark();
    const result = kernel.syscall('forever', kernel.symbol('schedule_timeout_uninterruptible'), [MAX_SCHEDULE_TIMEOUT]);
    assert.equal(result.status, 'failed');
    assert.match(
      result.status === 'failed' ? result.message : '',
      /^forever \(pid \d+\) blocked forever: it sleeps \(D\) with no timer pending and nothing runnable that could wake it, in schedule.* <- schedule_timeout/,
    );
    assert.ok(kernel.log.since(mark).some((line) => /INFO: task forever:\d+ blocked forever/.test(line)));
    const [asleep] = kernel.scheduler!.sleepers();
    assert.match(psLine(kernel, 'forever'), /^\s+\d+ D /);
    assert.equal(kernel.syscall('waker', kernel.symbol('wake_up_process'), [asleep.address]).status, 'returned');
    assert.equal(asleep.ended?.rax, MAX_SCHEDULE_TIMEOUT);
    // Guest time bounds a sleep that timers keep alive: the system call's limit.
    const bounded = boot({ syscallLimitSeconds: 2 }).kernel;
    const long = bounded.syscall('long', bounded.symbol('msleep'), [5000n]);
    assert.match(long.status === 'failed' ? long.message : '', /^long \(pid \d+\) still sleeping after 2 s of guest time, in schedule.* <- msleep/);
  },
);

test('nothing sleeps in atomic context, and a process that never sleeps nor returns is stopped by the instruction budget', { skip }, () => {
  const { kernel } = boot();
  const atomic = kernel.callAtomic('msleep', [10n]);
  assert.equal(atomic.status, 'fault');
  assert.match(atomic.fault!.message, /^msleep sleeps in atomic context \(.*schedule <- .*msleep\): swapper\/0\/0 runs on the idle task/);
  // jmp . in a process: the budget ends it, an oops, and the command is over.
  const spin = kernel.machine.allocate(4096n, 'a spinning function', Perm.RX);
  kernel.machine.memory.write(spin, new Uint8Array([0xeb, 0xfe]), { force: true });
  configureLimits({ guestInstructionBudget: 200_000 });
  try {
    const mark = kernel.log.mark();
    const result = kernel.syscall('spin', spin);
    assert.equal(result.status === 'failed' && result.signal, undefined, 'the real kernel would not kill it: a soft lockup, and it spins on');
    assert.match(result.status === 'failed' ? result.message : '', /^spin \(pid \d+\) stopped by the emulator: instruction budget of 200000 exhausted/);
    assert.ok(kernel.log.since(mark).some((line) => /BUG: instruction budget of 200000 exhausted/.test(line)));
  } finally {
    configureLimits({});
  }
  assert.equal(kernel.syscall('after', kernel.symbol('msleep'), [1n]).status, 'returned', 'the machine goes on');
});

test("usleep_range(min, max) in a process: the image's usleep_range_state over ktime_get and an hrtimer, which alone fires at its hard expiry, max", { skip }, () => {
  const { kernel } = shared;
  const start = kernel.clock.ns;
  // TASK_UNINTERRUPTIBLE (2), as usleep_range() passes it.
  assert.equal(kernel.syscall('usleep', kernel.symbol('usleep_range_state'), [1000n, 1500n, 2n]).status, 'returned');
  assert.equal(kernel.clock.ns - start, 1_500_000n);
});

/** Guest code at a fresh executable page: `movabs $fn, %rax; call *%rax`, then `tail` (ret; jmp back to the start). */
function callingCode(kernel: LinuxKernel, fn: bigint, tail: number[], setup: number[] = []): bigint {
  const code = kernel.machine.allocate(4096n, 'test code', Perm.RX);
  const address = new Uint8Array(new BigUint64Array([fn]).buffer);
  kernel.machine.memory.write(code, new Uint8Array([...setup, 0x48, 0xb8, ...address, 0xff, 0xd0, ...tail]), { force: true });
  return code;
}

test("flush_delayed_work cuts a queued item's delay short and waits for its run, which sleeps; flush_work of an idle item does not wait", { skip }, () => {
  const { kernel } = shared;
  // The work function: msleep(100); ret.
  const func = callingCode(kernel, kernel.symbol('msleep'), [0xc3], [0xbf, 100, 0, 0, 0]);
  const l = kernel.layout;
  const dwork = kernel.heap.alloc(BigInt(l.size('delayed_work')), true);
  kernel.machine.memory.writeU64(dwork + l.offset('work_struct', 'func'), func);
  const call = (name: string, args: bigint[]) => {
    const result = kernel.syscall(name.slice(0, 15), kernel.symbol(name), args);
    if (result.status !== 'returned') assert.fail(`${name}: ${result.message}`);
    return result.value;
  };
  const start = kernel.clock.jiffies;
  assert.equal(call('queue_delayed_work_on', [0n, 0n, dwork, BigInt(60 * kernel.HZ)]), 1n);
  assert.equal(call('flush_delayed_work', [dwork]) & 1n, 1n, 'it waited');
  // msleep(100) is msecs_to_jiffies(100) + 1 jiffies; the 60 s delay never passed.
  assert.equal(kernel.clock.jiffies - start, BigInt((100 * kernel.HZ) / 1000 + 1));
  assert.equal(call('flush_work', [dwork]) & 1n, 0n, 'idle: nothing to wait for');
});

test('two processes that only yield to each other (schedule() while TASK_RUNNING) are bounded: the command ends saying so', { skip }, () => {
  const { kernel } = boot();
  // call schedule; jmp back: never sleeps, never returns.
  const spin = callingCode(kernel, kernel.symbol('schedule'), [0xeb, 0xf2]);
  kernel.scheduler!.spawn('yielder', spin, []);
  const result = kernel.syscall('other', spin);
  assert.match(result.status === 'failed' ? result.message : '', /^other \(pid \d+\) still runnable after \d+ context switches in no guest time/);
});

test("an oops kills its process with oops_end()'s signal, and the shell says so: SIGKILL after a page fault, SIGSEGV after die()", { skip }, () => {
  const { kernel } = boot();
  const code = kernel.machine.allocate(4096n, 'faulting functions', Perm.RX);
  // mov 0x0,%rax (a NULL read), then ud2 (no bug entry: die("invalid opcode")).
  kernel.machine.memory.write(code, new Uint8Array([0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xc3, 0x0f, 0x0b]), { force: true });
  const signalOf = (fn: bigint) => {
    const result = kernel.syscall('victim', fn);
    assert.equal(result.status, 'failed');
    return result.status === 'failed' ? ProcessEnded.of(result) : undefined;
  };
  const nullRead = signalOf(code)!;
  assert.equal(nullRead.signal, 'SIGKILL');
  assert.deepEqual(nullRead.shellReport, { stderr: 'Killed\n', exitCode: 128 + 9 });
  const invalidOpcode = signalOf(code + 9n)!;
  assert.equal(invalidOpcode.signal, 'SIGSEGV');
  assert.deepEqual(invalidOpcode.shellReport, { stderr: 'Segmentation fault\n', exitCode: 128 + 11 });
  assert.equal(kernel.syscall('after', kernel.symbol('msleep'), [1n]).status, 'returned', 'the machine goes on');
});
