import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DwarfError, DwarfReader, ElfError, parseElf } from '../../../../server/out/elf';
import { buildFixtures } from '../elf/support/fixtures';
import { readelfDies } from '../elf/support/readelf';

let image: Buffer;
let sections: ReturnType<typeof parseElf>['sections'];
before(() => {
  image = readFileSync(buildFixtures().image);
  sections = parseElf(image, 'ok').sections;
});

const offsetOf = (name: string): number => Number(sections.find((s) => s.name === name)!.offset);
const sizeOf = (name: string): number => Number(sections.find((s) => s.name === name)!.size);

function scan(bytes: Buffer, name: string): void {
  new DwarfReader(parseElf(bytes, name)).scan();
}

function assertDwarfError(bytes: Buffer, name: string, pattern: RegExp): void {
  assert.throws(
    () => scan(bytes, name),
    (error: unknown) => {
      assert.ok(error instanceof DwarfError, `expected DwarfError, got ${String(error)}`);
      assert.equal(error.file, name);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('an abbreviation table without its terminator is a DwarfError, not a hang', { timeout: 10_000 }, () => {
  const bytes = Buffer.from(image);
  bytes.fill(0x81, offsetOf('.debug_abbrev'), offsetOf('.debug_abbrev') + sizeOf('.debug_abbrev'));
  assertDwarfError(bytes, 'abbrev-unterminated', /\.debug_abbrev table at offset 0x0: .*abbreviation code|runs past the end of \.debug_abbrev/);
});

test('a DIE using an abbreviation code the table lacks is a DwarfError naming the code', () => {
  const bytes = Buffer.from(image);
  const firstDie = offsetOf('.debug_info') + 12; // DWARF 5 compile unit header is 12 bytes
  bytes[firstDie] = 0x7f;
  assertDwarfError(bytes, 'abbrev-code', /abbreviation code 127 is not in the unit's abbreviation table/);
});

test('an abbreviation with an unknown form is a DwarfError', () => {
  const bytes = Buffer.from(image);
  const abbrev = offsetOf('.debug_abbrev');
  // Entry 1: code, tag, children, then (attr, form) pairs: make the first form 0x7e.
  let at = abbrev;
  while (bytes[at] & 0x80) at++;
  at++;
  while (bytes[at] & 0x80) at++;
  at += 2;
  while (bytes[at] & 0x80) at++;
  bytes[at + 1] = 0x7e;
  assertDwarfError(bytes, 'form', /unknown DW_FORM 0x7e/);
});

test("a unit length running past .debug_info is a DwarfError with the unit's offset", () => {
  const bytes = Buffer.from(image);
  bytes.writeUInt32LE(0x7ffffff0, offsetOf('.debug_info'));
  assertDwarfError(bytes, 'unit-length', /unit header 0 at offset 0x0: unit length 2147483632 runs past the end of \.debug_info/);
});

test('string offsets past .debug_str and .debug_line_str are DwarfErrors', () => {
  // The first struct's DW_AT_name is a DW_FORM_strp right after its one-byte abbreviation code.
  const struct = readelfDies(buildFixtures().image).find((d) => d.tag === 'DW_TAG_structure_type' && d.attrs.get('DW_AT_name')?.startsWith('(indirect string'))!;
  const at = offsetOf('.debug_info') + struct.offset + 1;
  assert.equal(image.readUInt32LE(at), parseInt(/offset: 0x([0-9a-f]+)/.exec(struct.attrs.get('DW_AT_name')!)![1], 16), 'the strp is where readelf says');
  const strp = Buffer.from(image);
  strp.writeUInt32LE(0x00ffffff, at);
  assertDwarfError(strp, 'strp', /\.debug_str reference at offset 0x[0-9a-f]+: string offset 0xffffff is out of range/);
  // The unit's DW_AT_name is a DW_FORM_line_strp after DW_AT_producer (strp) and DW_AT_language (data1).
  const lineStrp = Buffer.from(image);
  lineStrp.writeUInt32LE(0x00ffffff, offsetOf('.debug_info') + 13 + 4 + 1);
  assertDwarfError(lineStrp, 'line-strp', /\.debug_line_str reference .*string offset 0xffffff is out of range/);
});

test('random corruption of .debug_info and .debug_abbrev only ever gives DwarfError/ElfError, and never hangs', { timeout: 60_000 }, () => {
  let seed = 99;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const regions = ['.debug_info', '.debug_abbrev', '.debug_rnglists', '.debug_line'].map((name) => [offsetOf(name), sizeOf(name)] as const);
  let rejected = 0;
  for (let round = 0; round < 400; round++) {
    const bytes = Buffer.from(image);
    for (let flips = 1 + random(3); flips > 0; flips--) {
      const [start, length] = regions[random(regions.length)];
      bytes[start + random(length)] = random(256);
    }
    try {
      scan(bytes, `fuzz-${round}`);
    } catch (error) {
      assert.ok(error instanceof ElfError, `round ${round}: ${String((error as Error).stack)}`);
      rejected++;
    }
  }
  assert.ok(rejected > 20, `only ${rejected} of 400 corruptions were detected`);
});
