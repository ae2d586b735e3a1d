import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../support/paths';
import assert from 'node:assert/strict';
import { errno, LIVEPATCH_STATE_APPLIED, LIVEPATCH_STATE_CHECKED } from '../../../../../server/out/emulator/xen';
import { act, boot, callString, sourceString, uploadSample } from './support/boot';
import { nmSymbol, objdumpBytes } from './support/xenPayloads';

// APPLY / REVERT / REPLACE / UNLOAD against the sample target, with expectations from
// livepatch-tools.md §3.4-3.7, the payloads' C sources, nm and objdump of the target.

const original = /#define XEN_EXTRAVERSION "([^"]*)"/.exec(readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8'))![1];
const hello = sourceString('payloads/xen/xen_hello_world_func.c');
const bye = sourceString('payloads/xen/xen_bye_world_func.c');
const replaced = sourceString('payloads/xen/xen_replace_world_func.c');

test('APPLY is scheduled (-EAGAIN while pending), the idle loop patches, REVERT restores', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_CHECKED, rc: 0 });
  assert.equal(callString(xen, 'xen_extra_version'), original);
  assert.equal(xen.action('xen_hello_world', 'apply'), 0);
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EAGAIN') });
  assert.equal(callString(xen, 'xen_extra_version'), original, 'nothing is patched before the idle loop runs');
  xen.idle();
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_APPLIED, rc: 0 });
  assert.equal(callString(xen, 'xen_extra_version'), hello);
  assert.match(xen.console.log, /\(XEN\) livepatch: xen_hello_world finished APPLY with rc=0\n/);
  assert.equal(act(xen, 'xen_hello_world', 'revert'), 0);
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_CHECKED, rc: 0 });
  assert.equal(callString(xen, 'xen_extra_version'), original);
});

test('APPLY writes E9 rel32 to the replacement at old_addr and REVERT puts back the original bytes', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  const old = nmSymbol('xen_extra_version').address;
  const replacement = xen.machine.symbols.get('xen_hello_world')!.address;
  act(xen, 'xen_hello_world', 'apply');
  const jump = Buffer.from(xen.machine.memory.read(old, 5));
  assert.equal(jump[0], 0xe9);
  assert.equal(BigInt(jump.readInt32LE(1)), replacement - (old + 5n));
  act(xen, 'xen_hello_world', 'revert');
  assert.deepEqual(Buffer.from(xen.machine.memory.read(old, 5)), objdumpBytes('xen_extra_version', 5));
});

test('the state table: invalid transitions are -EINVAL, unknown names -ENOENT, a pending payload -EBUSY', () => {
  const xen = boot();
  uploadSample(xen, 'xen_nop');
  assert.equal(xen.action('xen_nop', 'revert'), -errno('EINVAL'));
  assert.equal(xen.action('nope', 'apply'), -errno('ENOENT'));
  assert.equal(xen.action('xen_nop', 'apply'), 0);
  assert.equal(xen.action('xen_nop', 'apply'), -errno('EBUSY'));
  assert.equal(xen.action('xen_nop', 'unload'), -errno('EBUSY'));
  xen.idle();
  assert.equal(xen.action('xen_nop', 'apply'), -errno('EINVAL'), 'double apply');
  assert.equal(xen.action('xen_nop', 'unload'), -errno('EINVAL'), 'unload only from CHECKED');
  assert.equal(act(xen, 'xen_nop', 'revert'), 0);
  const version = xen.list().version;
  assert.equal(xen.action('xen_nop', 'unload'), 0);
  assert.equal(xen.get('xen_nop').rc, -errno('ENOENT'));
  assert.notEqual(xen.list().version, version, 'list version changes with unload');
});

test('the build-id stack: bye_world applies only on hello_world, revert only from the top, NODEPS skips the check', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  uploadSample(xen, 'xen_bye_world');
  assert.equal(xen.action('xen_bye_world', 'apply'), -errno('EINVAL'));
  assert.match(xen.console.log, /\(XEN\) livepatch: xen_bye_world: check against hypervisor build-id failed\n/);
  act(xen, 'xen_hello_world', 'apply');
  assert.equal(act(xen, 'xen_bye_world', 'apply'), 0);
  assert.equal(callString(xen, 'xen_extra_version'), bye);
  assert.deepEqual(xen.appliedStack(), ['xen_hello_world', 'xen_bye_world']);
  assert.equal(xen.action('xen_hello_world', 'revert'), -errno('EBUSY'));
  assert.match(xen.console.log, /\(XEN\) livepatch: xen_hello_world: can't unload\. Top is xen_bye_world\n/);
  act(xen, 'xen_bye_world', 'revert');
  assert.equal(callString(xen, 'xen_extra_version'), hello);
  act(xen, 'xen_hello_world', 'revert');
  assert.equal(callString(xen, 'xen_extra_version'), original);

  const nodeps = boot();
  uploadSample(nodeps, 'xen_bye_world');
  assert.equal(act(nodeps, 'xen_bye_world', 'apply', { nodeps: true }), 0);
  assert.equal(callString(nodeps, 'xen_extra_version'), bye);
});

test('REPLACE reverts every applied payload, newest first, then applies; old_addr 0 is resolved by name', () => {
  const xen = boot();
  for (const name of ['xen_hello_world', 'xen_bye_world', 'xen_replace_world']) uploadSample(xen, name);
  assert.equal(xen.payload('xen_replace_world')!.funcs[0].oldAddr, nmSymbol('xen_extra_version').address);
  act(xen, 'xen_hello_world', 'apply');
  act(xen, 'xen_bye_world', 'apply');
  const mark = xen.console.log.length;
  assert.equal(act(xen, 'xen_replace_world', 'replace'), 0);
  const log = xen.console.since(mark);
  assert.ok(log.indexOf('xen_bye_world: Reverting') < log.indexOf('xen_hello_world: Reverting'), log);
  assert.match(log, /livepatch: xen_replace_world finished REPLACE with rc=0\n/);
  assert.deepEqual(xen.appliedStack(), ['xen_replace_world']);
  assert.equal(xen.get('xen_hello_world').status!.state, LIVEPATCH_STATE_CHECKED);
  assert.equal(callString(xen, 'xen_extra_version'), replaced);
});

test('a reverted payload with .data/.bss cannot be applied again; one without can', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  uploadSample(xen, 'xen_nop');
  act(xen, 'xen_hello_world', 'apply');
  act(xen, 'xen_hello_world', 'revert');
  assert.equal(xen.action('xen_hello_world', 'apply'), 0, 'Xen refuses through the status, not the hypercall');
  assert.deepEqual(xen.get('xen_hello_world').status, { state: LIVEPATCH_STATE_CHECKED, rc: -errno('EINVAL') });
  assert.match(xen.console.log, /livepatch: xen_hello_world: can't revert as payload has \.data\. Please unload\n/);
  assert.equal(xen.pending, false);
  act(xen, 'xen_nop', 'apply');
  act(xen, 'xen_nop', 'revert');
  assert.equal(act(xen, 'xen_nop', 'apply'), 0);
  assert.equal(xen.get('xen_nop').status!.state, LIVEPATCH_STATE_APPLIED);
});

test("NOP-out: new_addr 0 writes Xen's ideal NOPs over new_size bytes, keeps the ret, and counts as applied", () => {
  const xen = boot();
  uploadSample(xen, 'xen_nop');
  const { address, size } = nmSymbol('xen_minor_version');
  act(xen, 'xen_nop', 'apply');
  // xen_nop.c: new_size = XEN_MINOR_VERSION_SZ - 1; add_nops() uses P6 NOP9 then NOP1.
  const nops = Buffer.from([0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90]);
  assert.deepEqual(Buffer.from(xen.machine.memory.read(address, size)), Buffer.concat([nops, objdumpBytes('xen_minor_version', size).subarray(size - 1)]));
  assert.equal(xen.payload('xen_nop')!.funcs[0].applied, true);
  assert.equal(xen.machine.call('xen_major_version').rax, 4n);
  assert.equal(xen.machine.call('xen_minor_version').rax, 4n, 'returns whatever %eax held');
  act(xen, 'xen_nop', 'revert');
  assert.deepEqual(Buffer.from(xen.machine.memory.read(address, size)), objdumpBytes('xen_minor_version', size));
  assert.equal(xen.machine.call('xen_minor_version').rax, 21n);
});
