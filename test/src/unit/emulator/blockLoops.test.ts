import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, Perm } from '../../../../server/out/emulator';

// A block whose branch goes back to its own start repeats inside one call of its generated
// function. These hand-assembled loops check what must not change with that: exact instruction
// counts at the budget, faults naming the right instruction, and code written from the loop.

function load(code: number[]): { m: Machine; at: bigint } {
  const m = new Machine();
  const at = m.allocate(8192n, 'code', Perm.RWX);
  m.memory.write(at, Uint8Array.from(code));
  return { m, at };
}

// xor %eax,%eax; mov %edi,%ecx; 1: add $3,%eax; dec %ecx; jne 1b; ret -- 3 + 3n instructions.
const COUNTED = [0x31, 0xc0, 0x89, 0xf9, 0x83, 0xc0, 0x03, 0xff, 0xc9, 0x75, 0xf9, 0xc3];

test('a looping block returns the right value and counts every instruction', () => {
  const { m, at } = load(COUNTED);
  for (const n of [1n, 2n, 7n, 1000n, 100_000n]) {
    const result = m.call(at, [n]);
    assert.equal(result.rax, 3n * n, `n = ${n}`);
    // The return lands on the machine's host-return stub, which counts as one more.
    assert.equal(result.instructions, Number(3n + 3n * n + 1n), `n = ${n}`);
  }
});

test('the budget stops a looping block at exactly the budget, at any point of a pass', () => {
  for (const budget of [5, 6, 7, 8, 1001, 4097, 4098, 4099, 50_000]) {
    const { m, at } = load(COUNTED);
    const result = m.call(at, [1_000_000n], { budget });
    assert.equal(result.status, 'fault');
    assert.equal(result.fault!.kind, 'budget');
    assert.equal(result.instructions, budget);
    // After `budget` instructions, eax holds 3 for every add that ran: 2 set-up, then 3 per pass.
    assert.equal(BigInt(m.cpu.state.lo[0]), 3n * BigInt(Math.ceil((budget - 2) / 3)), `budget ${budget}`);
  }
});

test('a fault in a later pass of a looping block names the faulting instruction and counts what ran', () => {
  // 1: mov (%rdi),%rax; add $8,%rdi; jmp 1b -- walks off the end of the mapped pages.
  const { m, at } = load([0x48, 0x8b, 0x07, 0x48, 0x83, 0xc7, 0x08, 0xeb, 0xf7]);
  const start = at + 8192n - 80n;
  const result = m.call(at, [start]);
  assert.equal(result.status, 'fault');
  assert.equal(result.fault!.kind, 'page-fault');
  assert.equal(result.fault!.info.address, at + 8192n);
  assert.equal(result.fault!.rip, at, 'rip is the mov');
  assert.equal(result.instructions, 10 * 3, 'ten whole passes ran before the faulting read');
});

test('a loop that rewrites an instruction of its own body runs the new instruction next pass', () => {
  const { m, at } = load([
    0x31,
    0xc0, //                               xor %eax,%eax
    0x83,
    0xc0,
    0x01, //                         2: add $1,%eax   (the immediate is at 4)
    0x83,
    0xf8,
    0x05, //                         cmp $5,%eax
    0x75,
    0x07, //                               jne 0x11
    0xc6,
    0x05,
    0xf3,
    0xff,
    0xff,
    0xff,
    0x02, // movb $2,-13(%rip): add $1 becomes add $2
    0x83,
    0xf8,
    0x0a, //                         0x11: cmp $10,%eax
    0x7c,
    0xec, //                               jl 2
    0xc3, //                                     ret
  ]);
  // 1..5 by one, then 7, 9, 11 by two; without the rewrite it would stop at 10.
  assert.equal(m.call(at).rax, 11n);
});

test('flags a loop reads at its start are kept across the back-edge, also when the slice runs out', () => {
  const { m, at } = load([
    0x31,
    0xd2, //       xor %edx,%edx
    0x31,
    0xc0, //       xor %eax,%eax
    0x83,
    0xd2,
    0x00, // 4: adc $0,%edx   (CF of the last pass's cmp)
    0xff,
    0xc0, //       inc %eax
    0x39,
    0xf8, //       cmp %edi,%eax
    0x72,
    0xf7, //       jb 4
    0x85,
    0xd2, //       test %edx,%edx (so only the back-edge keeps the cmp's flags alive)
    0x89,
    0xd0, //       mov %edx,%eax
    0xc3, //             ret
  ]);
  // Every pass after the first finds CF set by the cmp that sent it back.
  for (const n of [1n, 2n, 5n, 10_000n]) assert.equal(m.call(at, [n]).rax, n - 1n, `n = ${n}`);
});
