import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../../../../server/out/emulator';
import { buildDir, gcc, KERNEL_FLAGS, runProgram, VARIANTS } from './support/gcc';

// The code generator's shortcuts, against the host CPU on the same instruction bytes: shifts and
// rotates by a constant whose flags the next instruction overwrites (they run without computing
// flags), and jcc / setcc / cmovcc right after the flag-setting instruction (they compare its
// operands instead of the lazy flags).

const SUFFIX: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
const MOD: Record<number, string> = { 8: 'b', 16: 'w', 32: 'k', 64: 'q' };
const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const COUNTS = [1, 3, 16, 31, 32, 33, 63];

interface Case {
  name: string;
  /** C body with `a`, `b` (u64) in scope; sets `out` (u64). */
  body: string;
}

function shiftCases(): Case[] {
  const cases: Case[] = [];
  for (const width of [32, 64]) {
    for (const op of ['shl', 'shr', 'sar', 'rol', 'ror']) {
      const s = SUFFIX[width];
      const m = MOD[width];
      // Each shift is followed by a cmp, which overwrites every flag; pushfq then reads the cmp's.
      const reg = COUNTS.map((n) => `${op}${s} $${n}, %${m}[r]\\n\\tcmp${s} %${m}[b], %${m}[r]\\n\\tpushfq\\n\\tpop %[f${n}]`);
      const mem = COUNTS.map((n) => `${op}${s} $${n}, %[x]\\n\\tcmp${s} %${m}[b], %[x]`);
      cases.push({
        name: `${op}${width}`,
        body: [
          `u64 r = a, x = a, f1, f3, f16, f31, f32, f33, f63;`,
          `asm volatile("${reg.join('\\n\\t')}" : [r] "+r"(r), ${COUNTS.map((n) => `[f${n}] "=&r"(f${n})`).join(', ')} : [b] "r"(b) : "cc");`,
          `asm volatile("${mem.join('\\n\\t')}" : [x] "+m"(x) : [b] "r"(b) : "cc");`,
          `out = r ^ (x * 3);`,
          ...COUNTS.map((n) => `out = out * 31 + (f${n} & 0x8d5);`),
        ].join('\n  '),
      });
    }
  }
  return cases;
}

function conditionCases(): Case[] {
  const cases: Case[] = [];
  for (const width of [8, 16, 32, 64]) {
    const s = SUFFIX[width];
    const m = MOD[width];
    const ops = ['cmp', 'sub', 'add', 'and', 'or', 'xor', 'test', 'inc', 'dec', 'neg'];
    for (const op of ops) {
      const unary = op === 'inc' || op === 'dec' || op === 'neg';
      const setter = unary ? `${op}${s} %${m}[t]` : `${op}${s} %${m}[b], %${m}[t]`;
      const lines = [`u64 t, v;`];
      CONDITIONS.forEach((cc, i) => {
        const start = `mov %[a], %[t]\\n\\t${setter}`;
        // jcc ends its block right after the setter; setcc and cmov sit in the middle of one.
        lines.push(`asm volatile("${start}\\n\\tj${cc} 1f\\n\\tjmp 2f\\n1:\\tbtsq $${i}, %[o]\\n2:" : [t] "=&r"(t), [o] "+r"(out) : [a] "r"(a), [b] "r"(b) : "cc");`);
        lines.push(`asm volatile("${start}\\n\\tset${cc} %b[v]" : [t] "=&r"(t), [v] "=&q"(v) : [a] "r"(a), [b] "r"(b) : "cc");`);
        lines.push(`out ^= (v & 0xff) << ${16 + i};`);
        if (width !== 8) {
          lines.push(`v = ${i + 1};`);
          lines.push(`asm volatile("${start}\\n\\tcmov${cc}${s} %${m}[b], %${m}[v]" : [t] "=&r"(t), [v] "+r"(v) : [a] "r"(a), [b] "r"(b) : "cc");`);
          lines.push(`out += v * ${2 * i + 1};`);
        }
      });
      cases.push({ name: `${op}${width}`, body: lines.join('\n  ') });
    }
  }
  return cases;
}

const cases = [...shiftCases(), ...conditionCases()];
// prettier-ignore
const VALUES = [
  0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, 0x123456789abcdef0n, 0xfedcba9876543210n,
];

const source = path.join(buildDir, 'fast-paths.c');
const driver = path.join(buildDir, 'fast-paths-driver.c');
writeFileSync(
  source,
  ['typedef unsigned long u64;', ...cases.map((c) => `__attribute__((noinline)) u64 fp_${c.name}(u64 a, u64 b) {\n  u64 out = 0;\n  ${c.body}\n  return out;\n}`)].join('\n'),
);
writeFileSync(
  driver,
  [
    '#include <stdio.h>',
    'typedef unsigned long u64;',
    ...cases.map((c) => `u64 fp_${c.name}(u64, u64);`),
    `static u64 (*const fns[])(u64, u64) = { ${cases.map((c) => `fp_${c.name}`).join(', ')} };`,
    `static const u64 values[] = { ${VALUES.map((v) => `0x${v.toString(16)}UL`).join(', ')} };`,
    'int main(void) {',
    '  for (unsigned f = 0; f < sizeof fns / sizeof fns[0]; f++)',
    '    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++)',
    '      for (unsigned j = 0; j < sizeof values / sizeof values[0]; j++)',
    '        printf("%lx\\n", fns[f](values[i], values[j]));',
    '  return 0;',
    '}',
  ].join('\n'),
);

const native = gcc('fast-paths-native', ['-O1', '-mno-red-zone', source, driver]).then(runProgram);
const object = gcc('fast-paths.o', ['-c', ...KERNEL_FLAGS, ...VARIANTS['O2'], source]);

test('constant shifts with dead flags and conditions fused with their compare match the host CPU', async () => {
  const lines = (await native).trim().split('\n');
  assert.equal(lines.length, cases.length * VALUES.length ** 2, 'native output is incomplete');
  const machine = new Machine();
  machine.loadObject(await object, 'fast-paths.o');
  const mismatches: string[] = [];
  let line = 0;
  for (const c of cases) {
    for (const a of VALUES) {
      for (const b of VALUES) {
        const want = BigInt(`0x${lines[line++]}`);
        const run = machine.call(`fp_${c.name}`, [a, b], { budget: 100_000 });
        const got = run.status === 'returned' ? `0x${run.rax.toString(16)}` : (run.fault?.report() ?? run.status);
        if (got !== `0x${want.toString(16)}`) mismatches.push(`${c.name}(0x${a.toString(16)}, 0x${b.toString(16)}): emulated ${got}, host 0x${want.toString(16)}`);
      }
    }
  }
  assert.equal(mismatches.length, 0, `${mismatches.length} differences:\n${mismatches.slice(0, 20).join('\n')}`);
});
