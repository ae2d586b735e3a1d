import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Machine } from '../../../../server/out/emulator';
import { buildDir, corpusDir, gcc, kernelObject, runProgram, VARIANTS } from './support/gcc';

// The CPU's main oracle: ~100 kernel-style C functions, built natively and in the six kernel
// flag variants, must return the same value for every argument vector.

const corpus = path.join(corpusDir, 'corpus.c');
const functions = [...readFileSync(corpus, 'utf8').matchAll(/^u64 (t_\w+)\(u64 a, u64 b, u64 c\)/gm)].map((m) => m[1]);

// prettier-ignore
const EDGES = [
  0n, 1n, 2n, 3n, 7n, 10n, 31n, 32n, 63n, 64n, 100n, 0x7fn, 0x80n, 0xffn, 0x1234n, 0xffffn, 0x7fffffffn, 0x80000000n,
  0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen,
  0xffffffff80000000n, 0xdeadbeefcafebaben,
];

function vectors(): bigint[][] {
  const out: bigint[][] = [];
  for (let i = 0; i < EDGES.length; i++) out.push([EDGES[i], EDGES[(i * 7 + 3) % EDGES.length], EDGES[(i * 11 + 5) % EDGES.length]]);
  let x = 0x9e3779b97f4a7c15n;
  const next = () => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return x;
  };
  for (let i = 0; i < 14; i++) out.push([next(), next() >> BigInt(i * 4), next() & 0xffffn]);
  return out;
}

const VECTORS = vectors();

/** A host program that calls every function on every vector and prints the results in hex. */
async function nativeResults(): Promise<bigint[]> {
  const driver = path.join(buildDir, 'corpus-driver.c');
  writeFileSync(
    driver,
    [
      '#include <stdio.h>',
      'typedef unsigned long u64;',
      ...functions.map((f) => `u64 ${f}(u64, u64, u64);`),
      `static u64 (*const fns[])(u64, u64, u64) = { ${functions.join(', ')} };`,
      `static const u64 vec[][3] = { ${VECTORS.map((v) => `{ ${v.map((n) => `0x${n.toString(16)}UL`).join(', ')} }`).join(',\n')} };`,
      'int main(void) {',
      '  for (unsigned f = 0; f < sizeof fns / sizeof fns[0]; f++)',
      '    for (unsigned v = 0; v < sizeof vec / sizeof vec[0]; v++)',
      '      printf("%lx\\n", fns[f](vec[v][0], vec[v][1], vec[v][2]));',
      '  return 0;',
      '}',
    ].join('\n'),
  );
  const program = await gcc('corpus-native', ['-O1', '-fno-strict-aliasing', corpus, driver]);
  return (await runProgram(program))
    .trim()
    .split('\n')
    .map((line) => BigInt(`0x${line}`));
}

const native = nativeResults();
const objects = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, kernelObject(corpus, v)]));

test('the corpus is large enough to mean something', () => {
  assert.ok(functions.length >= 80, `only ${functions.length} functions in the corpus`);
});

for (const variant of Object.keys(VARIANTS)) {
  test(`emulated ${variant} build returns what native code returns`, async () => {
    const expected = await native;
    assert.equal(expected.length, functions.length * VECTORS.length, 'native driver output is incomplete');
    const machine = new Machine();
    machine.loadObject(await objects[variant], `corpus.${variant}.o`);
    const mismatches: string[] = [];
    let index = 0;
    for (const fn of functions) {
      for (const args of VECTORS) {
        const want = expected[index++];
        const result = machine.call(fn, args, { budget: 5_000_000 });
        if (result.status !== 'returned') {
          mismatches.push(`${fn}(${args.map((a) => `0x${a.toString(16)}`).join(', ')}): ${result.fault?.report() ?? result.status}`);
        } else if (result.rax !== want) {
          mismatches.push(`${fn}(${args.map((a) => `0x${a.toString(16)}`).join(', ')}): emulated 0x${result.rax.toString(16)}, native 0x${want.toString(16)}`);
        }
      }
    }
    assert.equal(mismatches.length, 0, `${mismatches.length} of ${expected.length} calls differ:\n${mismatches.slice(0, 12).join('\n')}`);
  });
}
