import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { ElfError, ElfUnsupportedError, readElf, SHF } from '../../../../server/out/elf';
import { buildFixtures, Fixtures, run } from './support/fixtures';

let fx: Fixtures;
before(() => {
  fx = buildFixtures();
});

test('zlib-compressed debug sections inflate to the bytes objcopy --decompress-debug-sections writes', () => {
  for (const file of [fx.objectCompressed, fx.imageCompressed]) {
    const plain = `${file}.plain`;
    run('objcopy', ['--decompress-debug-sections', file, plain]);
    const compressed = readElf(file);
    const reference = readElf(plain);
    const debug = compressed.sections.filter((s) => s.flags & SHF.COMPRESSED);
    assert.ok(
      debug.some((s) => s.name === '.debug_info'),
      `${file} has a compressed .debug_info`,
    );
    for (const section of debug) {
      const expected = reference.rawSectionData(reference.section(section.name)!);
      assert.ok(compressed.sectionData(section).equals(expected), `${file} ${section.name}`);
      assert.ok(compressed.rawSectionData(section).length < expected.length, `${section.name} is stored compressed`);
    }
    compressed.close();
    reference.close();
  }
});

test('a zstd-compressed section gives a typed ElfUnsupportedError naming the file and section', () => {
  const copy = `${fx.objectCompressed}.zstd`;
  copyFileSync(fx.objectCompressed, copy);
  const elf = readElf(copy);
  const info = elf.section('.debug_info')!;
  elf.close();
  const bytes = readFileSync(copy);
  bytes.writeUInt32LE(2, Number(info.offset)); // ch_type = ELFCOMPRESS_ZSTD
  writeFileSync(copy, bytes);
  const patched = readElf(copy);
  assert.throws(
    () => patched.sectionData(patched.section('.debug_info')!),
    (error: unknown) => {
      assert.ok(error instanceof ElfUnsupportedError);
      assert.equal(error.file, copy);
      assert.match(error.message, /\.debug_info/);
      assert.match(error.message, /zstd/);
      return true;
    },
  );
  patched.close();
});

test('a corrupt zlib stream gives an ElfError, not a zlib exception', () => {
  const copy = `${fx.objectCompressed}.corrupt`;
  copyFileSync(fx.objectCompressed, copy);
  const elf = readElf(copy);
  const info = elf.section('.debug_info')!;
  elf.close();
  const bytes = readFileSync(copy);
  bytes.fill(0x55, Number(info.offset) + 24, Number(info.offset) + 40);
  writeFileSync(copy, bytes);
  const patched = readElf(copy);
  assert.throws(() => patched.sectionData(patched.section('.debug_info')!), ElfError);
  patched.close();
});
