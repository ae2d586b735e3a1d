import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKernel } from './support/fakeKernel';

// Atomic replace: functions only the replaced patches changed get nops and run the original
// again; the replaced patches are disabled and freed at the end; system states must stay
// compatible (a cumulative patch handles every state, versions never go down).

const root = '/sys/kernel/livepatch';

test('a cumulative patch: nops for what it drops, the replaced patches disabled and freed', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.insmod('lp-minor2'), 0);
  const busy = k.spawn('busy');
  busy.onOtherCpu = true;
  assert.equal(k.insmod('lp-replace'), 0);

  assert.ok(k.files.has(`${root}/lp_replace/vmlinux/xen_minor_version,1`), 'the nop has its sysfs directory during the transition');
  const nop = k.lp
    .snapshot()
    .patches.find((p) => p.name === 'lp_replace')!
    .objects[0].funcs.find((f) => f.oldName === 'xen_minor_version')!;
  assert.equal(nop.nop, true);
  assert.equal(nop.newFunc, nop.oldFunc, 'a nop "replaces" the function with itself');
  assert.equal(k.call('xen_minor_version', busy), 1002n, 'unswitched: the replaced patches still apply');
  assert.equal(k.call('xen_minor_version', k.insmodTask), 21n, 'switched: the nop runs the original');
  assert.equal(k.cat(`${root}/lp_minor2/enabled`), '1\n', 'replaced patches stay enabled until the end');

  busy.onOtherCpu = false;
  k.sleep(1);
  assert.equal(k.call('xen_minor_version'), 21n);
  assert.equal(k.call('xen_major_version'), 40n);
  assert.equal(k.files.has(`${root}/lp_minor1`), false);
  assert.equal(k.files.has(`${root}/lp_minor2`), false);
  assert.equal(k.files.has(`${root}/lp_replace/vmlinux/xen_minor_version,1`), false, 'nops are discarded');
  assert.deepEqual(
    k.lp.snapshot().patches.map((p) => p.name),
    ['lp_replace'],
  );
  assert.equal(k.rmmod('lp_minor1'), 0, 'a replaced patch lets its module go');
  assert.equal(k.rmmod('lp_minor2'), 0);
  assert.equal(k.machine.console.includes('lp_minor1: pre_unpatch'), false, "only the new patch's callbacks run");
  assert.deepEqual(k.log.slice(-3), [
    "livepatch: enabling patch 'lp_replace'",
    "livepatch: 'lp_replace': starting patching transition",
    "livepatch: 'lp_replace': patching complete",
  ]);
});

test('klp_get_state and klp_get_prev_state: a newer version takes an older state over', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-state-v1'), 0);
  assert.equal(k.insmod('lp-replace'), 0);
  assert.equal(k.machine.memory.readU32(k.symbol('lp_replace', 'lp_replace_own_version')), 2);
  assert.equal(k.machine.memory.readU32(k.symbol('lp_replace', 'lp_replace_prev_version')), 1, 'the state lp_state_v1 made');
  assert.equal(k.call('xen_major_version'), 40n);
});

test('klp_get_prev_state is NULL without an earlier patch declaring the state', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-replace'), 0);
  assert.equal(k.machine.memory.readU32(k.symbol('lp_replace', 'lp_replace_own_version')), 2);
  assert.equal(k.machine.memory.readU32(k.symbol('lp_replace', 'lp_replace_prev_version')), 0);
});

test('a patch lowering a state version is refused as incompatible', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-replace'), 0);
  assert.equal(k.insmod('lp-state-v1'), -22);
  assert.equal(k.log.at(-1), 'livepatch: Livepatch patch (lp_state_v1) is not compatible with the already installed livepatches.');
  assert.equal(k.levels.at(-1), 3);
  assert.equal(k.files.has(`${root}/lp_state_v1`), false);
  assert.equal(k.call('xen_major_version'), 40n);
});
