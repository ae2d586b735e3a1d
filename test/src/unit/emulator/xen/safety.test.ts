import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errno, LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED } from '../../../../../server/out/emulator/xen';
import { act, boot, callString, uploadSample } from './support/boot';
import { deadBeef, expectFail, expectOk } from './support/extraPayloads';
import { nmSymbol, objdumpBytes } from './support/xenPayloads';

// Expectations (§3.6) and the quiesce rendezvous with its timeout (§3.8).

test("an expectation that matches the old code (objdump's bytes) lets APPLY through", () => {
  const xen = boot();
  assert.equal(xen.upload('lp_expect_ok', readFileSync(expectOk())), 0);
  assert.equal(act(xen, 'lp_expect_ok', 'apply'), 0);
  assert.equal(xen.machine.call('xen_major_version').rax, 7n);
});

test('a failed expectation refuses APPLY with -EINVAL and shows expected and actual bytes', () => {
  const xen = boot();
  assert.equal(xen.upload('lp_expect_fail', readFileSync(expectFail())), 0);
  assert.equal(xen.action('lp_expect_fail', 'apply'), -errno('EINVAL'));
  const actual = objdumpBytes('xen_major_version', deadBeef.length).toString('hex');
  assert.match(xen.console.log, new RegExp(`\\(XEN\\) livepatch: xen_major_version: expectation failed: expected:${deadBeef.toString('hex')}, actual:${actual}\\n`));
  assert.match(xen.console.log, /livepatch: lp_expect_fail: expectations of xen_major_version failed \(rc=-22\), aborting!\n/);
  assert.equal(xen.pending, false);
  assert.equal(xen.get('lp_expect_fail').status!.state, LIVEPATCH_STATE_CHECKED);
});

test('REPLACE whose expectations fail leaves everything reverted and says so', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  assert.equal(xen.upload('lp_expect_fail', readFileSync(expectFail())), 0);
  act(xen, 'xen_hello_world', 'apply');
  assert.equal(act(xen, 'lp_expect_fail', 'replace'), 0);
  assert.match(xen.console.log, /livepatch: lp_expect_fail: SYSTEM MIGHT BE INSECURE: Replace action has been aborted after reverting ALL payloads!\n/);
  assert.deepEqual(xen.appliedStack(), []);
  assert.deepEqual(xen.get('lp_expect_fail').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EINVAL') });
  assert.equal(callString(xen, 'xen_extra_version'), '-unstable');
});

test('a CPU that never reaches the rendezvous times the action out: -EBUSY, nothing patched', () => {
  const xen = boot({ cpus: 2 });
  uploadSample(xen, 'xen_hello_world');
  xen.setRendezvousDelay(1, Infinity);
  assert.equal(act(xen, 'xen_hello_world', 'apply'), 0);
  assert.match(xen.console.log, /livepatch: xen_hello_world: Timed out on semaphore in CPU quiesce phase 0\/1\n/);
  assert.match(xen.console.log, /livepatch: xen_hello_world finished APPLY with rc=-16\n/);
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EBUSY') });
  assert.deepEqual(Buffer.from(xen.machine.memory.read(nmSymbol('xen_extra_version').address, 5)), objdumpBytes('xen_extra_version', 5));
  assert.doesNotMatch(xen.console.log, /Hi!/, 'load hooks only run inside the quiesced zone');
});

test('the timeout: 30 ms by default, or what the action asks for; phases count the CPUs that arrived', () => {
  const xen = boot({ cpus: 4 });
  uploadSample(xen, 'xen_nop');
  xen.setRendezvousDelay(2, 40e6);
  xen.setRendezvousDelay(3, 45e6);
  act(xen, 'xen_nop', 'apply');
  assert.match(xen.console.log, /Timed out on semaphore in CPU quiesce phase 1\/3\n/);
  assert.equal(act(xen, 'xen_nop', 'apply', { timeoutNs: 50e6 }), 0);
  assert.equal(xen.get('xen_nop').status!.state, LIVEPATCH_STATE_APPLIED);
});
