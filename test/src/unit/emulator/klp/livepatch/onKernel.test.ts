import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LinuxKernel } from '../../../../../../server/out/emulator/klp/kernel';
import { runLinuxCommand } from '../../../../../../server/out/emulator/klp/shell';
import { fromRoot } from '../../../../support/paths';
import { modulePath } from './support/fakeKernel';

// The core on the kernel model itself, driven by the shell an author types into: the sample
// target booted as a kernel, modules loaded by its loader, callbacks run inside klp_enable_patch's
// native by the kernel model's continuation natives, and the log the kernel's ring keeps.

const target = fromRoot('samples', 'build', 'target', 'sample-target');

function shell(kernel: LinuxKernel, line: string): { stdout: string; stderr: string; exitCode: number } {
  const m = /^(.*?)\s*>\s*(\S+)$/.exec(line);
  const argv = (m ? m[1] : line).split(/\s+/);
  return runLinuxCommand(kernel, { argv, ...(m ? { redirect: { path: m[2], append: false } } : {}), expect: 0, text: line, source: 'test' }, { readFile: (p) => readFileSync(p) });
}

const withoutStamps = (lines: string[]): string[] => lines.map((l) => l.replace(/^\[ *\d+\.\d{6}\] /, ''));

test('livepatch-sample on the kernel model: /proc/cmdline patched, disabled, the module removed', () => {
  const kernel = LinuxKernel.boot(target);
  const original = shell(kernel, 'cat /proc/cmdline').stdout;
  const mark = kernel.log.mark();
  assert.equal(shell(kernel, `insmod ${modulePath('livepatch-sample')}`).exitCode, 0);
  assert.equal(shell(kernel, 'cat /proc/cmdline').stdout, 'this has been live patched\n');
  assert.deepEqual(
    withoutStamps(kernel.log.since(mark)).filter((l) => l.startsWith('livepatch:')),
    ["livepatch: enabling patch 'livepatch_sample'", "livepatch: 'livepatch_sample': starting patching transition", "livepatch: 'livepatch_sample': patching complete"],
    'no task has cmdline_proc_show on its stack: every one switches at the first try, as on a real kernel',
  );
  assert.equal(shell(kernel, 'cat /sys/kernel/livepatch/livepatch_sample/transition').stdout, '0\n');
  assert.equal(shell(kernel, 'rmmod livepatch_sample').exitCode, 1, 'an enabled patch holds its module');
  assert.equal(shell(kernel, 'echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled').exitCode, 0);
  shell(kernel, 'sleep 1');
  assert.equal(shell(kernel, 'cat /proc/cmdline').stdout, original);
  assert.equal(shell(kernel, 'rmmod livepatch_sample').exitCode, 0);
});

test('callbacks run inside klp_enable_patch on the kernel model, in order', () => {
  const kernel = LinuxKernel.boot(target);
  const mark = kernel.log.mark();
  assert.equal(shell(kernel, `insmod ${modulePath('lp-minor1')}`).exitCode, 0);
  shell(kernel, 'sleep 2');
  const lines = withoutStamps(kernel.log.since(mark)).filter((l) => /^(livepatch:|lp_minor1: (pre|post)_)/.test(l));
  assert.deepEqual(lines, [
    "livepatch: enabling patch 'lp_minor1'",
    'lp_minor1: pre_patch',
    "livepatch: 'lp_minor1': starting patching transition",
    'lp_minor1: post_patch',
    "livepatch: 'lp_minor1': patching complete",
  ]);
  assert.equal(shell(kernel, 'echo 1 > /sys/kernel/livepatch/lp_minor1/enabled').stderr, 'sh: write error: Invalid argument\n');
});

test('the notrace refusal through insmod', () => {
  const kernel = LinuxKernel.boot(target);
  const result = shell(kernel, `insmod ${modulePath('lp-notrace')}`);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /could not insert module .*lp-notrace\.ko: Invalid parameters/, 'kmod words -EINVAL so');
  assert.ok(kernel.log.since(0).some((l) => l.endsWith("livepatch: failed to find location for function 'sched_clock'")));
});

/** sleepy_work's kworker asleep in sleepy_work_fn for `seconds`, then lp-sleepy-patch enabled. */
function blockedKernel(seconds: number): { kernel: LinuxKernel; mark: number } {
  const kernel = LinuxKernel.boot(target);
  assert.equal(shell(kernel, `insmod ${modulePath('sleepy-work')} sleep_secs=${seconds}`).exitCode, 0);
  const mark = kernel.log.mark();
  assert.equal(shell(kernel, `insmod ${modulePath('lp-sleepy-patch')}`).exitCode, 0);
  return { kernel, mark };
}

const transition = (kernel: LinuxKernel): string => shell(kernel, 'cat /sys/kernel/livepatch/lp_sleepy_patch/transition').stdout;

test('a kworker asleep in the function being patched holds the transition until it wakes', () => {
  const { kernel, mark } = blockedKernel(5);
  assert.equal(transition(kernel), '1\n');
  const blocking = kernel.livepatch.snapshot().transition?.blocking ?? [];
  assert.deepEqual(
    blocking.map((b) => [b.reason, b.function]),
    [['sleeping', 'sleepy_work_fn']],
  );
  const pid = blocking[0].pid;
  assert.equal(shell(kernel, `cat /proc/${pid}/patch_state`).stdout, '0\n');
  shell(kernel, 'sleep 4');
  assert.equal(transition(kernel), '1\n', 'still asleep');
  shell(kernel, 'sleep 2');
  assert.equal(transition(kernel), '0\n', 'it woke, left the function, and the next retry completed');
  assert.equal(shell(kernel, `cat /proc/${pid}/patch_state`).stdout, '-1\n');
  assert.equal(withoutStamps(kernel.log.since(mark)).at(-1), "livepatch: 'lp_sleepy_patch': patching complete");
});

test('after 15 retries the kernel signals the remaining tasks; force then ends the transition', () => {
  const { kernel, mark } = blockedKernel(60);
  shell(kernel, 'sleep 14');
  assert.equal(withoutStamps(kernel.log.since(mark)).includes('livepatch: signaling remaining tasks'), false);
  shell(kernel, 'sleep 2');
  assert.equal(withoutStamps(kernel.log.since(mark)).filter((l) => l === 'livepatch: signaling remaining tasks').length, 1);
  assert.equal(transition(kernel), '1\n', 'msleep sleeps uninterruptibly: the signal does not wake it');
  assert.equal(shell(kernel, 'echo 1 > /sys/kernel/livepatch/lp_sleepy_patch/force').exitCode, 0);
  shell(kernel, 'sleep 1');
  assert.equal(transition(kernel), '0\n');
  assert.ok(withoutStamps(kernel.log.since(mark)).includes('livepatch: forcing remaining tasks to the patched state'));
  assert.equal(shell(kernel, 'echo 0 > /sys/kernel/livepatch/lp_sleepy_patch/enabled').exitCode, 0);
  shell(kernel, 'sleep 1');
  assert.equal(shell(kernel, 'rmmod lp_sleepy_patch').exitCode, 1, 'a forced patch keeps its module');
});
