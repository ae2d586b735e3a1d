import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKernel, FakeTask } from './support/fakeKernel';

// The per-task consistency model: a task sleeping in a function being patched blocks the
// transition until it wakes (or the admin forces it), retries run every second of guest time,
// signals go out after 15 retries, and writing the opposite value to `enabled` reverses it.

const dir = '/sys/kernel/livepatch/lp_busymod_patch';

/** lp_busymod loaded and a worker asleep inside lp_busymod_work(), then the patch enabled. */
function blocked(): { k: FakeKernel; worker: FakeTask } {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-busymod'), 0);
  const worker = k.spawn('kworker/0:1');
  assert.equal(k.run(worker, 'lp_busymod_run').status, 'stopped', 'the worker sleeps in msleep()');
  assert.equal(k.insmod('lp-busymod-patch'), 0);
  return { k, worker };
}

test('a task sleeping in the function being patched blocks the transition until it wakes', () => {
  const { k, worker } = blocked();
  assert.equal(k.cat(`${dir}/transition`), '1\n');
  assert.equal(k.cat(`${dir}/enabled`), '1\n');
  assert.equal(k.lp.procPatchState(worker), '0\n', 'still unpatched');
  assert.equal(k.lp.procPatchState(k.insmodTask), '1\n', 'insmod checked its own stack and switched');
  assert.equal(k.lp.procPatchState(k.swapper), '1\n');
  const snapshot = k.lp.snapshot();
  assert.deepEqual(
    snapshot.tasks.find((t) => t.pid === worker.pid),
    { pid: worker.pid, comm: 'kworker/0:1', patchState: 0, pending: true, blockedBy: { reason: 'sleeping', func: 'lp_busymod_work' } },
  );
  assert.deepEqual(snapshot.transition, {
    patch: 'lp_busymod_patch',
    target: 'patched',
    blocking: [{ pid: worker.pid, comm: 'kworker/0:1', reason: 'sleeping', function: 'lp_busymod_work' }],
  });

  const other = k.spawn('cat');
  other.klp.patchState = 1;
  assert.equal(k.run(other, 'lp_busymod_run').rax, 71n, 'a switched task runs the new function');

  k.sleep(3);
  assert.equal(k.cat(`${dir}/transition`), '1\n', 'retries do not help while it sleeps there');
  assert.equal(k.resume(worker).rax, 8n, 'the old function finishes what it started');
  assert.equal(k.lp.procPatchState(worker), '1\n', 'it switched on its way out of the kernel');
  assert.equal(k.cat(`${dir}/transition`), '1\n', 'the transition completes at the next retry, not before');
  k.sleep(1);
  assert.equal(k.cat(`${dir}/transition`), '0\n');
  assert.equal(k.lp.procPatchState(worker), '-1\n', 'no transition: -1');
  assert.equal(k.log.at(-1), "livepatch: 'lp_busymod_patch': patching complete");
  assert.equal(k.run(worker, 'lp_busymod_run').rax, 71n);
});

test('the transition is retried each second; after 15 retries the remaining tasks get a fake signal', () => {
  const { k, worker } = blocked();
  k.sleep(14);
  assert.deepEqual(k.woken, [], 'no signal before the 15th retry');
  assert.equal(k.log.includes('livepatch: signaling remaining tasks'), false);
  k.sleep(1);
  assert.deepEqual(k.woken, [worker]);
  assert.equal(k.log.filter((l) => l === 'livepatch: signaling remaining tasks').length, 1);
  k.sleep(15);
  assert.deepEqual(k.woken, [worker, worker], 'signalled again 15 retries later');
  assert.equal(k.log.filter((l) => l === 'livepatch: signaling remaining tasks').length, 1, 'the notice is printed once');
});

test('force switches every task; the forced patch keeps its module forever', () => {
  const { k, worker } = blocked();
  assert.equal(k.echo('1', `${dir}/force`), 0);
  assert.equal(k.log.at(-1), 'livepatch: forcing remaining tasks to the patched state');
  assert.equal(k.lp.procPatchState(worker), '1\n');
  k.sleep(1);
  assert.equal(k.cat(`${dir}/transition`), '0\n');
  assert.equal(k.resume(worker).rax, 8n);
  assert.equal(k.echo('0', `${dir}/enabled`), 0);
  k.sleep(1);
  assert.equal(k.files.has(dir), false, 'disabled and freed');
  assert.equal(k.rmmod('lp_busymod_patch'), -16, 'a forced patch never gives its module back');
});

test('writing the opposite value to enabled reverses a transition in flight', () => {
  const { k, worker } = blocked();
  assert.equal(k.echo('0', `${dir}/enabled`), 0);
  assert.equal(k.cat(`${dir}/enabled`), '0\n');
  assert.equal(k.log.at(-1), "livepatch: 'lp_busymod_patch': starting unpatching transition");
  assert.equal(k.lp.procPatchState(worker), '0\n', 'the worker never left the unpatched state');
  assert.deepEqual(k.lp.snapshot().transition?.blocking, [], 'what blocked the patching does not block the unpatching');
  k.sleep(1);
  assert.equal(k.log.at(-1), "livepatch: 'lp_busymod_patch': unpatching complete");
  assert.equal(k.files.has(dir), false);
  assert.equal(k.resume(worker).rax, 8n);
  assert.equal(k.run(worker, 'lp_busymod_run').status, 'stopped', 'the original function runs (and sleeps) again');
  assert.equal(k.rmmod('lp_busymod_patch'), 0);
});

test('reversing back to patching: enabled 1 again during the unpatching transition', () => {
  const { k } = blocked();
  assert.equal(k.echo('0', `${dir}/enabled`), 0);
  assert.equal(k.echo('1', `${dir}/enabled`), 0, 'the patch in transition may be reversed both ways');
  assert.equal(k.log.at(-1), "livepatch: 'lp_busymod_patch': starting patching transition");
  assert.equal(k.cat(`${dir}/enabled`), '1\n');
});

test('another patch cannot start while one is in transition: -EBUSY', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.insmod('lp-busymod'), 0);
  const worker = k.spawn('kworker/0:1');
  k.run(worker, 'lp_busymod_run');
  assert.equal(k.insmod('lp-busymod-patch'), 0);
  assert.equal(k.echo('0', '/sys/kernel/livepatch/lp_minor1/enabled'), -16, 'disabling another patch: -EBUSY');
  assert.equal(k.cat('/sys/kernel/livepatch/lp_minor1/enabled'), '1\n');
  const lines = k.log.length;
  assert.equal(k.insmod('lp-minor2'), -16, 'enabling another patch: -EBUSY, before any message');
  assert.equal(k.log.length, lines);
  assert.equal(k.files.has('/sys/kernel/livepatch/lp_minor2'), false);
});

test('a task forked during a transition inherits its parent state and pending flag', () => {
  const { k, worker } = blocked();
  const child = k.spawn('child');
  k.lp.copyProcess(child, worker);
  assert.equal(child.klp.patchState, 0);
  assert.equal(k.lp.snapshot().tasks.find((t) => t.pid === child.pid)?.pending, true);
  k.lp.updatePatchState(child);
  assert.equal(child.klp.patchState, 1, 'leaving the kernel switches a pending task');
});
