import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKernel } from './support/fakeKernel';

// Two patches stacked on xen_minor_version() (lp_minor1 returns 1001, lp_minor2 1002): the
// handler takes the top of the func stack, or during a transition the entry that matches the
// calling task's patch_state. func->transition is set only on the func being added (patching)
// or removed (unpatching), so a switched task never falls through to the original.

const top = '/sys/kernel/livepatch/lp_minor2';

function stacked(): FakeKernel {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.insmod('lp-minor2'), 0);
  return k;
}

const transitionFlags = (k: FakeKernel): Record<string, boolean> => Object.fromEntries(k.lp.snapshot().patches.map((p) => [p.name, p.objects[0].funcs[0].transition]));

test('the newest patch wins when no transition is in progress', () => {
  const k = stacked();
  assert.equal(k.call('xen_minor_version'), 1002n);
  assert.deepEqual(transitionFlags(k), { lp_minor1: false, lp_minor2: false });
});

test('disabling the top patch: switched tasks run the previous patch, a held task still runs the top', () => {
  const k = stacked();
  const held = k.spawn('held');
  k.machine.memory.writeU32(k.symbol('lp_minor2', 'lp_minor2_hold'), 1);
  assert.equal(k.run(held, k.symbol('lp_minor2', 'lp_minor2_held_caller')).status, 'stopped', 'asleep inside lp_minor2_minor_version');

  assert.equal(k.echo('0', `${top}/enabled`), 0);
  assert.equal(k.cat(`${top}/transition`), '1\n', 'the held task has the function being removed on its stack');
  assert.deepEqual(transitionFlags(k), { lp_minor1: false, lp_minor2: true }, 'only the func being removed is in transition');
  assert.deepEqual(k.lp.snapshot().tasks.find((t) => t.pid === held.pid)?.blockedBy, { reason: 'sleeping', func: 'xen_minor_version' });

  const other = k.spawn('other');
  other.klp.patchState = 0;
  assert.equal(k.call('xen_minor_version', other), 1001n, 'a switched task runs lp_minor1, not the original');

  k.resume(held);
  const seen = k.symbol('lp_minor2', 'lp_minor2_seen');
  assert.deepEqual([k.machine.memory.readU32(seen), k.machine.memory.readU32(seen + 4n)], [1002, 1002], 'unswitched, it still runs lp_minor2');
  assert.equal(held.klp.patchState, 0, 'leaving the kernel switched it');

  k.sleep(1);
  assert.equal(k.log.at(-1), "livepatch: 'lp_minor2': unpatching complete");
  assert.equal(k.call('xen_minor_version', held), 1001n);
  assert.equal(k.call('xen_minor_version'), 1001n);
});

test('enabling a patch on top of another: an unswitched task runs the previous patch, a switched one the new', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  const busy = k.spawn('busy');
  busy.onOtherCpu = true;
  assert.equal(k.insmod('lp-minor2'), 0);
  assert.equal(k.cat(`${top}/transition`), '1\n', 'a task running on another CPU cannot be checked');
  assert.deepEqual(k.lp.snapshot().tasks.find((t) => t.pid === busy.pid)?.blockedBy, { reason: 'running' });
  assert.deepEqual(transitionFlags(k), { lp_minor1: false, lp_minor2: true }, 'only the func being added is in transition');
  assert.equal(k.call('xen_minor_version', busy), 1001n, 'unswitched: the previous patch, not the original');
  assert.equal(k.call('xen_minor_version', k.insmodTask), 1002n);
  busy.onOtherCpu = false;
  k.sleep(1);
  assert.equal(k.cat(`${top}/transition`), '0\n');
  assert.equal(k.call('xen_minor_version', busy), 1002n);
});

test("enabling a patch on top of another: a task asleep in the previous patch's function blocks it", () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  const sleeper = k.spawn('sleeper');
  k.machine.memory.writeU32(k.symbol('lp_minor1', 'lp_minor1_hold'), 1);
  assert.equal(k.run(sleeper, 'xen_minor_version').status, 'stopped');
  assert.equal(k.insmod('lp-minor2'), 0);
  assert.equal(k.cat(`${top}/transition`), '1\n', 'what lp_minor2 replaces is lp_minor1_minor_version');
  assert.deepEqual(k.lp.snapshot().tasks.find((t) => t.pid === sleeper.pid)?.blockedBy, { reason: 'sleeping', func: 'xen_minor_version' });
  assert.equal(k.resume(sleeper).rax, 1001n);
  k.sleep(1);
  assert.equal(k.cat(`${top}/transition`), '0\n');
});

test('a single patch during its transition: an unswitched task runs the original', () => {
  const k = new FakeKernel();
  const busy = k.spawn('busy');
  busy.onOtherCpu = true;
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.call('xen_minor_version', busy), 21n);
  assert.equal(k.call('xen_minor_version', k.insmodTask), 1001n);
});
