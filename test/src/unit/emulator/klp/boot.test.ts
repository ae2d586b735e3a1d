import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fromRoot } from '../../../support/paths';
import { addressOf, bootSample, newLog, sh } from './support/kernel';

// Booting the sample target as a Linux kernel: start_kernel runs as the native build of the
// same sources runs (the oracle), then the kworkers sleep in the target's own scheduler.

test('boot runs start_kernel: the log holds what the native build of the target prints, line for line', () => {
  const [, ...console] = execFileSync(fromRoot('samples', 'build', 'native', 'sample-target-native'), { encoding: 'latin1' }).split('\n');
  const kernel = bootSample();
  assert.deepEqual(
    newLog(kernel),
    console.filter((l) => l !== ''),
  );
  assert.ok(
    kernel.log.entries().every((e) => e.ns === 0n),
    'boot messages are stamped 0.000000: time moves only when the kernel model advances it',
  );
});

test('after boot the kworkers sleep in worker_thread, switched out by the target __schedule', () => {
  const kernel = bootSample();
  const kworkers = kernel.tasks.list().filter((t) => t.comm.startsWith('kworker/'));
  assert.equal(kworkers.length, 4);
  const expected = ['__switch_to_asm', '__schedule', 'worker_thread', 'ret_from_fork_asm'].map((n) => addressOf(kernel, n));
  for (const t of kworkers) {
    assert.equal(t.state, 'S');
    assert.equal(t.isRunning, false);
    assert.deepEqual(t.stackFunctions(), expected, t.comm);
  }
  assert.equal(kernel.tasks.current(), kernel.tasks.idle);
  assert.equal(kernel.tasks.idle.pid, 0);
  assert.equal(kernel.tasks.nrRunning(), 1, 'only the idle task is runnable');
});

test("guest time: sleep advances the clock and jiffies (the target's HZ, another when asked)", () => {
  const kernel = bootSample();
  assert.equal(kernel.HZ, 1e9 / 4e6, 'the sample target counts NSEC_PER_JIFFY = 4 ms');
  const [ns, jiffies] = [kernel.clock.ns, kernel.clock.jiffies];
  assert.equal(sh(kernel, 'sleep 1.5').exitCode, 0);
  assert.equal(kernel.clock.ns - ns, 1_500_000_000n);
  assert.equal(kernel.clock.jiffies - jiffies, 375n);
  assert.equal(kernel.machine.memory.readU64(addressOf(kernel, 'jiffies')), kernel.clock.jiffies, "the target's jiffies variable follows guest time");
  const fast = bootSample({ hz: 1000 });
  const j = fast.clock.jiffies;
  sh(fast, 'sleep 1');
  assert.equal(fast.clock.jiffies - j, 1000n);
  assert.equal(fast.HZ, 1000);
});

test('/proc files run the target show functions; meminfo matches what the native build printed', () => {
  const native = execFileSync(fromRoot('samples', 'build', 'native', 'sample-target-native'), { encoding: 'latin1' });
  const kernel = bootSample();
  const cmdline = sh(kernel, 'cat /proc/cmdline');
  assert.deepEqual(cmdline, { stdout: 'console=ttyS0 root=/dev/vda1 ro livepatch.sample=1\n', stderr: '', exitCode: 0 });
  const meminfo = sh(kernel, 'cat /proc/meminfo').stdout;
  assert.ok(native.includes(meminfo), `${meminfo} is not in the native output`);
  assert.match(sh(kernel, 'cat /proc/version').stdout, /^Xen version 4\.21-unstable\n$/);
});

test('the per-CPU area: %gs points at it and the stack canary sits at %gs:40', () => {
  const kernel = bootSample();
  const c = kernel.machine.cpu.state;
  const gs = (BigInt(c.gsHi >>> 0) << 32n) | BigInt(c.gsLo >>> 0);
  assert.equal(gs, kernel.percpu.base);
  assert.equal(kernel.machine.memory.readU64(gs + 40n), kernel.percpu.canary);
  assert.notEqual(kernel.percpu.canary, 0n);
});

test('ftrace sites of the target are NOPs after boot, and setTraced writes a call to __fentry__', () => {
  const kernel = bootSample();
  const fn = addressOf(kernel, 'cmdline_proc_show');
  const site = kernel.ftrace.siteOf(fn);
  assert.equal(site, fn, 'the site is the first instruction (no endbr64 in the sample)');
  assert.deepEqual([...kernel.machine.memory.read(site, 5)], [0x0f, 0x1f, 0x44, 0x00, 0x00]);
  kernel.ftrace.setTraced(site, true);
  const bytes = kernel.machine.memory.read(site, 5);
  assert.equal(bytes[0], 0xe8);
  const rel = BigInt(Buffer.from(bytes.slice(1)).readInt32LE(0));
  assert.equal(site + 5n + rel, kernel.machine.nativeAddress('__fentry__'), "the machine's __fentry__ (where the fentry hook runs), not the target's own empty one");
  const seen: bigint[] = [];
  kernel.machine.fentryHook = (callSite) => void seen.push(callSite);
  assert.equal(kernel.ftrace.siteOf(addressOf(kernel, '__schedule')), undefined, '__schedule is notrace');
  assert.equal(sh(kernel, 'cat /proc/cmdline').stdout, 'console=ttyS0 root=/dev/vda1 ro livepatch.sample=1\n', 'a traced function the hook leaves alone still runs');
  assert.deepEqual(seen, [site], 'the hook saw the traced site, and only it');
});
