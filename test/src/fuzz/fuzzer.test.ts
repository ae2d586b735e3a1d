import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElf } from '../../../server/out/elf';
import { makeRecipe } from './campaign';
import { structuresOf } from './elfMutator';
import { applyRecipe, fuzzKinds } from './recipe';
import { seedBytes, seedsOf } from './seeds';
import { topProjectFrame } from './signature';

test('the same seed and input number make the same recipe and the same bytes', () => {
  for (let n = 0; n < 50; n++) {
    const a = makeRecipe(7, n, fuzzKinds);
    const b = makeRecipe(7, n, fuzzKinds);
    assert.deepEqual(a, b);
    assert.ok(applyRecipe(a, seedBytes(a.sample)).equals(applyRecipe(b, seedBytes(b.sample))));
  }
  assert.notDeepEqual(makeRecipe(7, 3, fuzzKinds), makeRecipe(8, 3, fuzzKinds));
});

test('each ELF field the mutator names is where readelf-style offsets put it', () => {
  const sample = seedsOf('xen')[0];
  const seed = seedBytes(sample);
  const elf = parseElf(seed, sample);
  const fields = Object.values(structuresOf(seed).groups).flat();
  const shoff = Number(elf.header.shoff);
  for (const section of elf.sections.slice(1, 6)) {
    const size = fields.find((f) => f.what === `shdr[${section.index} ${section.name}].sh_size`);
    assert.ok(size, `no sh_size field for ${section.name}`);
    assert.equal(size.at, shoff + section.index * 64 + 32);
    assert.equal(seed.readBigUInt64LE(size.at), section.size);
  }
  const symtab = elf.sections.find((s) => s.type === 2)!;
  const symbols = elf.symbols();
  const value = fields.find((f) => f.what === `${symtab.name}[${symbols.length - 1}].st_value`);
  assert.ok(value);
  assert.equal(seed.readBigUInt64LE(value.at), symbols.at(-1)!.value);
});

test('text recipes insert, pad, copy and change line ends as they say', () => {
  const sample = seedsOf('diff')[0];
  const lines = seedBytes(sample).toString('utf8').split('\n');
  const out = applyRecipe(
    {
      kind: 'diff',
      sample,
      ops: [
        { op: 'insert', line: 1, text: '+a\n+b', repeat: 3, what: '' },
        { op: 'pad', line: 0, text: 'xy', repeat: 4, what: '' },
        { op: 'eol', style: 'crlf', what: '' },
      ],
    },
    seedBytes(sample),
  )
    .toString('utf8')
    .split('\n');
  assert.equal(out.length, lines.length + 6);
  assert.equal(out[0], `${lines[0]}xyxyxyxy\r`);
  assert.deepEqual(out.slice(1, 7), ['+a\r', '+b\r', '+a\r', '+b\r', '+a\r', '+b\r']);
  assert.equal(out[7], `${lines[1]}\r`);
});

test('a signature names the engine frame that called the fault raiser, without line numbers', () => {
  const stack = [
    'GuestFault: #PF',
    '    at Memory.fault (/x/server/out/emulator/memory.js:233:16)',
    '    at Memory.r8 (/x/server/out/emulator/memory.js:116:80)',
    '    at readGuestFunc (/x/server/out/emulator/xen/guestLayout.js:32:36)',
    '    at run (/x/test/out/fuzz/targets.js:1:1)',
  ].join('\n');
  assert.equal(topProjectFrame(stack), 'readGuestFunc (emulator/xen/guestLayout.js)');
  assert.equal(topProjectFrame('Error\n    at f (/x/test/out/a.js:1:1)'), 'no project frame');
});
