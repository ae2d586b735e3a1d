import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKernel } from './support/fakeKernel';

// Callbacks per object in the kernel's order and pairing: pre-patch before the functions are
// patched, post-patch when the transition completes, pre-unpatch before unpatching starts,
// post-unpatch at its end, and post-unpatch only after a pre-patch that succeeded. A module
// object gets its callbacks when the module comes and goes.

const lines = (k: FakeKernel): string[] => k.machine.console.split('\n').filter((l) => l);

test('enable then disable: pre_patch, post_patch, pre_unpatch, post_unpatch', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.deepEqual(lines(k), ['lp_minor1: pre_patch', 'lp_minor1: post_patch']);
  assert.equal(k.echo('0', '/sys/kernel/livepatch/lp_minor1/enabled'), 0);
  assert.deepEqual(lines(k), ['lp_minor1: pre_patch', 'lp_minor1: post_patch', 'lp_minor1: pre_unpatch', 'lp_minor1: post_unpatch']);
});

test('post_patch waits for the end of the transition', () => {
  const k = new FakeKernel();
  const busy = k.spawn('busy');
  busy.onOtherCpu = true;
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.deepEqual(lines(k), ['lp_minor1: pre_patch']);
  busy.onOtherCpu = false;
  k.sleep(1);
  assert.deepEqual(lines(k), ['lp_minor1: pre_patch', 'lp_minor1: post_patch']);
});

test('a reversed patching transition skips pre_unpatch and still runs post_unpatch', () => {
  const k = new FakeKernel();
  const busy = k.spawn('busy');
  busy.onOtherCpu = true;
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.echo('0', '/sys/kernel/livepatch/lp_minor1/enabled'), 0);
  k.sleep(1);
  assert.deepEqual(lines(k), ['lp_minor1: pre_patch', 'lp_minor1: post_unpatch']);
});

test('a failing pre-patch refuses the enable, and its post-unpatch never runs', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-failing-prepatch'), -19);
  assert.deepEqual(k.log, [
    "livepatch: enabling patch 'lp_failing_prepatch'",
    "livepatch: pre-patch callback failed for object 'vmlinux'",
    "livepatch: failed to enable patch 'lp_failing_prepatch'",
    "livepatch: 'lp_failing_prepatch': unpatching complete",
  ]);
  assert.deepEqual(lines(k), []);
  assert.equal(k.call('xen_minor_version'), 21n);
  assert.equal(k.modules.has('lp_failing_prepatch'), false);
});

test('a module object is patched when the module comes and unpatched when it goes', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-busymod-patch'), 0);
  assert.deepEqual(lines(k), [], 'no callbacks for an object that is not loaded');
  assert.equal(k.cat('/sys/kernel/livepatch/lp_busymod_patch/lp_busymod/patched'), '0\n');
  assert.equal(k.insmod('lp-busymod'), 0);
  assert.equal(k.log.at(-1), "livepatch: applying patch 'lp_busymod_patch' to loading module 'lp_busymod'");
  assert.deepEqual(lines(k), ['lp_busymod_patch: pre_patch lp_busymod', 'lp_busymod_patch: post_patch'], 'obj->mod is set for the callback');
  assert.equal(k.cat('/sys/kernel/livepatch/lp_busymod_patch/lp_busymod/patched'), '1\n');
  assert.deepEqual(k.relocationCalls, ['apply lp_busymod_patch lp_busymod'], 'its .klp.rela sections are written when it comes');
  const worker = k.spawn('worker');
  assert.equal(k.run(worker, 'lp_busymod_run').rax, 71n);

  assert.equal(k.rmmod('lp_busymod'), 0);
  assert.equal(k.log.at(-1), "livepatch: reverting patch 'lp_busymod_patch' on unloading module 'lp_busymod'");
  assert.deepEqual(lines(k).slice(2), ['lp_busymod_patch: pre_unpatch', 'lp_busymod_patch: post_unpatch']);
  assert.deepEqual(k.relocationCalls, ['apply lp_busymod_patch lp_busymod', 'clear lp_busymod_patch lp_busymod']);
  assert.equal(k.cat('/sys/kernel/livepatch/lp_busymod_patch/lp_busymod/patched'), '0\n');
  assert.equal(k.insmod('lp-busymod'), 0, 'and it comes back patched');
  assert.equal(k.run(worker, 'lp_busymod_run').rax, 71n);
});

test("a failing pre-patch of a module object refuses the module's load", () => {
  const k = new FakeKernel();
  assert.equal(
    k.insmod('lp-failing-prepatch', (mod) => k.machine.memory.writeU32(mod.image.symbols.find((s) => s.name === 'lp_failing_prepatch_veto')!.address, 2)),
    0,
  );
  const before = k.log.length;
  assert.equal(k.insmod('lp-busymod'), -19);
  assert.deepEqual(k.log.slice(before), [
    "livepatch: applying patch 'lp_failing_prepatch' to loading module 'lp_busymod'",
    "livepatch: pre-patch callback failed for object 'lp_busymod'",
    "livepatch: patch 'lp_failing_prepatch' failed for module 'lp_busymod', refusing to load module 'lp_busymod'",
  ]);
  assert.equal(k.modules.has('lp_busymod'), false);
  assert.deepEqual(lines(k), [], 'the vmlinux object has no post_unpatch to run: it was never unpatched');
  assert.equal(k.call('xen_minor_version'), 3n, 'the vmlinux part stays patched');
});
