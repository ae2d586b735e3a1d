import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../../../server/out/emulator';
import { fromRoot } from '../../support/paths';
import { nmSymbol } from './xen/support/xenPayloads';

// Compiled blocks are shared by every machine of the process, keyed by address and bytes (what
// makes a property run's thousands of fresh boots cheap): a second machine compiles nothing it
// finds there, and bytes changed at the same address are compiled afresh, on that machine only.
// Where the function is and how long, from nm; the value it returns changed in its `mov $imm32,%eax`.

const target = fromRoot('samples', 'build', 'target', 'sample-target');

function booted(): Machine {
  const m = new Machine();
  m.loadTarget(target);
  return m;
}

test('a second machine on the same target reuses the first one’s blocks; changed bytes get their own', () => {
  const first = booted();
  const before = first.call('xen_major_version');
  assert.equal(before.status, 'returned');
  const second = booted();
  const again = second.call('xen_major_version');
  assert.equal(again.rax, before.rax);
  assert.equal(second.cpu.cache.compiled, 0, 'the second machine compiled a block the first had compiled');
  // mov $imm32,%eax is b8 imm32: find it in the function and change the value on the second machine.
  const { address, size } = nmSymbol('xen_major_version');
  const bytes = second.memory.read(address, size);
  const at = bytes.findIndex((b, i) => b === 0xb8 && new DataView(bytes.buffer).getUint32(i + 1, true) === Number(before.rax));
  assert.ok(at >= 0, 'no mov $imm32,%eax of the result in xen_major_version');
  second.memory.write(address + BigInt(at + 1), Uint8Array.of(0x2a, 0, 0, 0), { force: true });
  assert.equal(second.call('xen_major_version').rax, 42n);
  assert.ok(second.cpu.cache.compiled > 0, 'the changed bytes ran without being compiled');
  // The first machine, and a third fresh one, still run the original bytes.
  assert.equal(first.call('xen_major_version').rax, before.rax);
  assert.equal(booted().call('xen_major_version').rax, before.rax);
});
