import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EBUSY } from '../../../../../server/out/emulator/klp/errno';
import { bootSample, sh } from './support/kernel';

// The shell commands of a Linux scenario print what busybox sh / cat / sleep / dmesg and kmod
// print on the project's real machines (reference/real-machines.md), with their exit statuses.

test('echo V > PATH hands the file the text with its newline; an errno from the store is a write error', () => {
  const kernel = bootSample();
  const written: string[] = [];
  kernel.fs.register('/sys/kernel/test/ok', { read: () => 'x\n', write: (v) => (written.push(v), 0) });
  kernel.fs.register('/sys/kernel/test/busy', { write: () => -EBUSY });
  assert.deepEqual(sh(kernel, 'echo 1 > /sys/kernel/test/ok'), { stdout: '', stderr: '', exitCode: 0 });
  assert.deepEqual(sh(kernel, 'echo -n 0 > /sys/kernel/test/ok'), { stdout: '', stderr: '', exitCode: 0 });
  assert.deepEqual(written, ['1\n', '0']);
  assert.deepEqual(sh(kernel, 'echo 1 > /sys/kernel/test/busy'), { stdout: '', stderr: 'sh: write error: Device or resource busy\n', exitCode: 1 });
  assert.deepEqual(sh(kernel, 'echo 1 > /sys/kernel/test/nope'), { stdout: '', stderr: "sh: can't create /sys/kernel/test/nope: No such file or directory\n", exitCode: 1 });
  assert.deepEqual(sh(kernel, 'echo 1 > /proc/cmdline'), { stdout: '', stderr: "sh: can't create /proc/cmdline: Permission denied\n", exitCode: 1 });
  assert.deepEqual(sh(kernel, 'echo hello world'), { stdout: 'hello world\n', stderr: '', exitCode: 0 });
});

test('cat prints files, and names what it cannot open the way busybox does', () => {
  const kernel = bootSample();
  kernel.fs.register('/sys/kernel/test/a', { read: () => 'A\n' });
  kernel.fs.register('/sys/kernel/test/force', { write: () => 0 });
  assert.deepEqual(sh(kernel, 'cat /sys/kernel/test/a /sys/kernel/test/a'), { stdout: 'A\nA\n', stderr: '', exitCode: 0 });
  assert.deepEqual(sh(kernel, 'cat /sys/kernel/test/none'), { stdout: '', stderr: "cat: can't open '/sys/kernel/test/none': No such file or directory\n", exitCode: 1 });
  assert.deepEqual(sh(kernel, 'cat /sys/kernel/test/force'), { stdout: '', stderr: "cat: can't open '/sys/kernel/test/force': Permission denied\n", exitCode: 1 });
  assert.deepEqual(sh(kernel, 'cat /sys/kernel/test'), { stdout: '', stderr: 'cat: read error: Is a directory\n', exitCode: 1 });
  assert.deepEqual(kernel.fs.list('/sys/kernel/test'), ['a', 'force']);
  kernel.fs.unregister('/sys/kernel/test');
  assert.equal(kernel.fs.get('/sys/kernel/test/a'), undefined);
});

test('/proc/<pid>/patch_state shows the livepatch core slot of the task (-1 when no transition)', () => {
  const kernel = bootSample();
  const kworker = kernel.tasks.list().find((t) => t.comm.startsWith('kworker/'))!;
  assert.equal(sh(kernel, `cat /proc/${kworker.pid}/patch_state`).stdout, '-1\n');
  kworker.klp.patchState = 1;
  assert.equal(sh(kernel, `cat /proc/${kworker.pid}/patch_state`).stdout, '1\n');
  assert.equal(sh(kernel, 'cat /proc/9999/patch_state').exitCode, 1);
});

test('sleep takes seconds with fractions and suffixes; a bad number is an error', () => {
  const kernel = bootSample();
  const start = kernel.clock.ns;
  sh(kernel, 'sleep 0.25');
  sh(kernel, 'sleep 1m');
  assert.equal(kernel.clock.ns - start, 60_250_000_000n);
  assert.deepEqual(sh(kernel, 'sleep x'), { stdout: '', stderr: "sleep: invalid number 'x'\n", exitCode: 1 });
});

test('dmesg prints the lines since the previous dmesg; -r adds the level; -c clears', () => {
  const kernel = bootSample();
  sh(kernel, 'dmesg -c');
  kernel.log.printk('\x016one\n');
  const stamp = `[${(Number(kernel.clock.ns) / 1e9).toFixed(6).padStart(12)}]`;
  assert.equal(sh(kernel, 'dmesg -r').stdout, `<6>${stamp} one\n`);
  assert.equal(sh(kernel, 'dmesg').stdout, '');
  kernel.log.printk('two\n');
  assert.equal(sh(kernel, 'dmesg -c').stdout, `${stamp} two\n`);
  assert.deepEqual(kernel.log.entries(), []);
  assert.equal(sh(kernel, 'dmesg -z').exitCode, 1);
});

test('ps lists the tasks but the idle one, with state, patch state, command and the functions on each stack', () => {
  const kernel = bootSample();
  const lines = sh(kernel, 'ps').stdout.trimEnd().split('\n');
  assert.equal(lines[0], '  PID S  PATCH  COMMAND          STACK');
  assert.equal(lines.length, 1 + kernel.tasks.list().length - 1);
  assert.match(lines[1], /^ {4}4 S {5}-1 {2}kworker\/0:0 {6}__switch_to_asm <- __schedule <- worker_thread <- ret_from_fork_asm$/);
});

test('an unknown command is sh\'s "not found", exit 127', () => {
  assert.deepEqual(sh(bootSample(), 'frobnicate now'), { stdout: '', stderr: 'sh: frobnicate: not found\n', exitCode: 127 });
});
