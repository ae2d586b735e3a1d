import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../../../../server/out/emulator';
import { ALL, flagCases, harnessSource } from './support/flagHarness';
import { buildDir, gcc, KERNEL_FLAGS, runProgram, VARIANTS } from './support/gcc';

// Every arithmetic instruction in every operand size, run between popfq and pushfq on the host
// CPU and in the emulator: the flags the architecture defines and the result registers must match.

const cases = flagCases();
// prettier-ignore
const VALUES = [
  0n, 1n, 2n, 7n, 8n, 9n, 15n, 16n, 17n, 31n, 32n, 33n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn,
  0x123456789abcdef0n, 0xfedcba9876543210n,
];
/** Incoming flags: all clear, all status flags set, CF alone, ZF and OF. */
const FLAGS_IN = [0x2n, 0x8d7n, 0x3n, 0x842n];
const vectors: bigint[][] = [];
VALUES.forEach((a, i) => VALUES.forEach((b, j) => vectors.push([a, b, FLAGS_IN[(i + j) % FLAGS_IN.length]])));

const source = path.join(buildDir, 'flag-harness.c');
const driver = path.join(buildDir, 'flag-driver.c');
writeFileSync(source, harnessSource(cases));
writeFileSync(
  driver,
  [
    '#include <stdio.h>',
    'typedef unsigned long u64;',
    'extern u64 flag_r, flag_r2;',
    ...cases.map((c) => `u64 fl_${c.name}(u64, u64, u64);`),
    `static u64 (*const fns[])(u64, u64, u64) = { ${cases.map((c) => `fl_${c.name}`).join(', ')} };`,
    `static const u64 vec[][3] = { ${vectors.map((v) => `{ ${v.map((n) => `0x${n.toString(16)}UL`).join(', ')} }`).join(',\n')} };`,
    'int main(void) {',
    '  for (unsigned f = 0; f < sizeof fns / sizeof fns[0]; f++)',
    '    for (unsigned v = 0; v < sizeof vec / sizeof vec[0]; v++) {',
    '      u64 flags = fns[f](vec[v][0], vec[v][1], vec[v][2]);',
    '      printf("%lx %lx %lx\\n", flags, flag_r, flag_r2);',
    '    }',
    '  return 0;',
    '}',
  ].join('\n'),
);

const native = gcc('flag-native', ['-O1', '-mno-red-zone', source, driver]).then(runProgram);
const object = gcc('flag-harness.o', ['-c', ...KERNEL_FLAGS, ...VARIANTS['O2'], source]);

test('the harness covers the arithmetic instructions in every size', () => {
  const names = new Set(cases.map((c) => c.name));
  for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test', 'inc', 'dec', 'neg', 'shl', 'shr', 'sar', 'rol', 'ror', 'mul', 'xadd', 'cmpxchg']) {
    for (const width of [8, 16, 32, 64]) assert.ok(names.has(`${op}${width}`), `${op}${width} missing`);
  }
  assert.ok(cases.length >= 120, `${cases.length} cases`);
});

test('emulated flags and results equal the host CPU for every instruction, size and operand', async () => {
  const lines = (await native).trim().split('\n');
  assert.equal(lines.length, cases.length * vectors.length, 'native harness output is incomplete');
  const machine = new Machine();
  machine.loadObject(await object, 'flag-harness.o');
  const resultAt = machine.symbols.get('flag_r')!.address;
  const result2At = machine.symbols.get('flag_r2')!.address;
  const mismatches: string[] = [];
  let checkedFlags = 0;
  let line = 0;
  for (const c of cases) {
    for (const [a, b, fin] of vectors) {
      const [flags, r, r2] = lines[line++].split(' ').map((x) => BigInt(`0x${x}`));
      const run = machine.call(`fl_${c.name}`, [a, b, fin], { budget: 10_000 });
      const args = `(0x${a.toString(16)}, 0x${b.toString(16)}, flags in 0x${fin.toString(16)})`;
      if (run.status !== 'returned') {
        mismatches.push(`${c.name}${args}: ${run.fault?.report() ?? run.status}`);
        continue;
      }
      const mask = BigInt(c.defined(a, b) & ALL);
      checkedFlags += mask ? 1 : 0;
      if ((run.rax & mask) !== (flags & mask)) {
        mismatches.push(`${c.name}${args}: flags 0x${(run.rax & mask).toString(16)}, host 0x${(flags & mask).toString(16)} (mask 0x${mask.toString(16)})`);
      }
      if (c.resultDefined && !c.resultDefined(a, b)) continue;
      const er = machine.memory.readU64(resultAt);
      const er2 = machine.memory.readU64(result2At);
      if (er !== r || er2 !== r2) {
        mismatches.push(`${c.name}${args}: result 0x${er.toString(16)}/0x${er2.toString(16)}, host 0x${r.toString(16)}/0x${r2.toString(16)}`);
      }
    }
  }
  assert.ok(checkedFlags > cases.length * vectors.length * 0.9, 'too few defined flags were compared');
  assert.equal(mismatches.length, 0, `${mismatches.length} differences:\n${mismatches.slice(0, 25).join('\n')}`);
});
