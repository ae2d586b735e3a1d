import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DwarfReader, ElfError, parseElf } from '../../../../server/out/elf';
import { buildFixtures, Fixtures } from './support/fixtures';

let fx: Fixtures;
let image: Buffer;
before(() => {
  fx = buildFixtures();
  image = readFileSync(fx.image);
});

/** Everything a reader does with a file; bad input must end in an ElfError and nothing else. */
function readEverything(bytes: Buffer, name: string): void {
  const elf = parseElf(bytes, name);
  for (const section of elf.sections) elf.sectionData(section);
  elf.symbols();
  for (const section of elf.sections.filter((s) => s.type === 4)) elf.relocations(section);
  elf.notes();
  new DwarfReader(elf).scan();
}

function assertElfError(action: () => void, pattern: RegExp, name: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ElfError, `expected ElfError, got ${String(error)}`);
    assert.equal(error.file, name);
    assert.match(error.message, pattern);
    return true;
  });
}

test('truncated files give an ElfError naming the file, the structure and the offset', () => {
  const header = parseElf(image, 'x').header;
  for (const length of [0, 3, 20, 63, 64, 1000, Number(header.shoff) + 10, image.length - 1]) {
    assertElfError(() => readEverything(image.subarray(0, length), `cut-${length}`), /offset 0x[0-9a-f]+/, `cut-${length}`);
  }
});

test('section headers past the end of the file are rejected', () => {
  const bytes = Buffer.from(image);
  bytes.writeBigUInt64LE(BigInt(image.length - 100), 40); // e_shoff
  assertElfError(() => parseElf(bytes, 'shoff'), /section header table .* run past the end/, 'shoff');
});

test('a section whose data lies past the end of the file is rejected when the headers are read', () => {
  const bytes = Buffer.from(image);
  const elf = parseElf(image, 'ok');
  const text = elf.section('.text')!;
  bytes.writeBigUInt64LE(BigInt(image.length), Number(elf.header.shoff) + text.index * 64 + 24); // sh_offset
  assertElfError(() => parseElf(bytes, 'data'), /section header \d+ at offset 0x[0-9a-f]+: section data/, 'data');
});

test('string offsets out of range give an ElfError (section names and symbol names)', () => {
  const elf = parseElf(image, 'ok');
  const names = Buffer.from(image);
  names.writeUInt32LE(0x7fffffff, Number(elf.header.shoff) + 64); // sh_name of section 1
  assertElfError(() => parseElf(names, 'shname'), /string offset 2147483647 is outside the string table/, 'shname');
  const symtab = elf.sections.find((s) => s.type === 2)!;
  const symbols = Buffer.from(image);
  symbols.writeUInt32LE(0x7fffffff, Number(symtab.offset) + 24 * 3);
  assertElfError(() => parseElf(symbols, 'stname').symbols(), /symbol table \.symtab entry 3/, 'stname');
});

test('not an ELF, ELF32 and big-endian files are rejected with typed errors', () => {
  assertElfError(() => parseElf(Buffer.from('#!/bin/sh\necho hello world, this is not an ELF file at all\n'), 'script'), /bad magic/, 'script');
  const elf32 = Buffer.from(image);
  elf32[4] = 1;
  assertElfError(() => parseElf(elf32, 'elf32'), /only ELF64/, 'elf32');
  const big = Buffer.from(image);
  big[5] = 2;
  assertElfError(() => parseElf(big, 'big'), /only little-endian/, 'big');
});

test('random corruption of headers and tables never escapes as anything but an ElfError, and never hangs', { timeout: 60_000 }, () => {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const elf = parseElf(image, 'ok');
  // Bytes worth hitting: the ELF header, the section header table, and the symbol table.
  const symtab = elf.sections.find((s) => s.type === 2)!;
  const regions: Array<[number, number]> = [
    [0, 64],
    [Number(elf.header.shoff), elf.sections.length * 64],
    [Number(symtab.offset), Number(symtab.size)],
  ];
  let rejected = 0;
  for (let round = 0; round < 300; round++) {
    const bytes = Buffer.from(image);
    for (let flips = 1 + random(4); flips > 0; flips--) {
      const [start, length] = regions[random(regions.length)];
      bytes[start + random(length)] = random(256);
    }
    try {
      readEverything(bytes, `fuzz-${round}`);
    } catch (error) {
      assert.ok(error instanceof ElfError, `round ${round}: ${String((error as Error).stack)}`);
      rejected++;
    }
  }
  assert.ok(rejected > 30, `only ${rejected} of 300 corruptions were detected`);
});
