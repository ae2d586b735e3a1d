import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestFault } from '../../../../server/out/emulator/faults';
import { Memory, Perm } from '../../../../server/out/emulator/memory';

// Memory.read and Memory.write copy a page at a time; what they copy must be what the byte-wise
// guest accessors see, across page boundaries, and a fault must still name the first byte.

const base = 0x10000n;

function filled(): Memory {
  const memory = new Memory();
  memory.map(base, 0x3000n, Perm.RW, 'data');
  for (let i = 0n; i < 0x3000n; i++) memory.w8(Number(base + i), 0, Number((i * 7n + 3n) & 0xffn));
  return memory;
}

test('read across pages returns the bytes one readU8 at a time returns', () => {
  const memory = filled();
  for (const [start, length] of [
    [0n, 0],
    [0xffdn, 7],
    [0x123n, 0x2e00],
    [0n, 0x3000],
  ] as const) {
    const bytes = memory.read(base + start, length);
    assert.equal(bytes.length, length);
    for (let i = 0; i < length; i++) assert.equal(bytes[i], memory.readU8(base + start + BigInt(i)), `byte ${i} of a read at +0x${start.toString(16)}`);
  }
});

test('write across pages lands byte for byte, and a read or write running off the mapping faults at the first unmapped byte', () => {
  const memory = filled();
  const data = Uint8Array.from({ length: 0x1100 }, (_, i) => (i * 13) & 0xff);
  memory.write(base + 0xf80n, data);
  data.forEach((byte, i) => assert.equal(memory.readU8(base + 0xf80n + BigInt(i)), byte));
  for (const access of ['read', 'write'] as const) {
    assert.throws(
      () => (access === 'read' ? memory.read(base + 0x2ff0n, 0x20) : memory.write(base + 0x2ff0n, new Uint8Array(0x20))),
      (error: unknown) => error instanceof GuestFault && error.info.address === base + 0x3000n && error.info.access === access,
    );
  }
});

test('a read of a page without read permission faults at that page, not before it', () => {
  const memory = filled();
  memory.protect(base + 0x1000n, 0x1000n, Perm.None);
  assert.throws(
    () => memory.read(base + 0xff0n, 0x20),
    (error: unknown) => error instanceof GuestFault && error.info.address === base + 0x1000n && /without read permission/.test(error.message),
  );
});
