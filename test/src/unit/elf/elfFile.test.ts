import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readElf, SHF, SHT, STB, STT } from '../../../../server/out/elf';
import { buildFixtures, Fixtures } from './support/fixtures';
import { readelfHeader, readelfNotes, readelfRelocations, readelfSections, readelfSymbols } from './support/readelf';

let fx: Fixtures;
before(() => {
  fx = buildFixtures();
});

// prettier-ignore
const sectionTypes: Record<string, number> = {
  NULL: SHT.NULL, PROGBITS: SHT.PROGBITS, SYMTAB: SHT.SYMTAB, STRTAB: SHT.STRTAB, RELA: SHT.RELA, NOTE: SHT.NOTE,
  NOBITS: SHT.NOBITS, GROUP: SHT.GROUP, SYMTAB_SECTION_INDICES: SHT.SYMTAB_SHNDX,
};
// prettier-ignore
const flagLetters: Record<string, bigint> = {
  W: SHF.WRITE, A: SHF.ALLOC, X: SHF.EXECINSTR, M: SHF.MERGE, S: SHF.STRINGS, I: SHF.INFO_LINK,
  L: SHF.LINK_ORDER, G: SHF.GROUP, T: SHF.TLS, C: SHF.COMPRESSED, E: SHF.EXCLUDE,
};
const symbolTypes: Record<string, number> = { NOTYPE: STT.NOTYPE, OBJECT: STT.OBJECT, FUNC: STT.FUNC, SECTION: STT.SECTION, FILE: STT.FILE };
const bindings: Record<string, number> = { LOCAL: STB.LOCAL, GLOBAL: STB.GLOBAL, WEAK: STB.WEAK };

test('the ELF header equals readelf -h on every fixture', () => {
  for (const file of fx.all) {
    const elf = readElf(file);
    const oracle = readelfHeader(file);
    assert.equal(elf.header.type, { REL: 1, EXEC: 2, DYN: 3 }[oracle.type], file);
    assert.equal(elf.header.machine, 62, file);
    assert.equal(elf.header.entry, oracle.entry, file);
    assert.equal(elf.header.shoff, oracle.shoff, file);
    assert.equal(elf.header.shnum, oracle.shnum, file);
    assert.equal(elf.header.shstrndx, oracle.shstrndx, file);
    assert.equal(elf.segments.length, oracle.phnum, file);
    elf.close();
  }
});

test('the linked image has its entry point at the kernel base, above 2^63, exactly', () => {
  const elf = readElf(fx.image);
  const schedule = elf.symbols().find((s) => s.name === '__schedule');
  assert.ok(schedule);
  assert.equal(elf.header.entry, schedule.value);
  assert.ok(elf.header.entry > 0xffffffff81000000n && elf.header.entry < 0xffffffff82000000n);
  elf.close();
});

test('sections equal readelf -SW: name, type, address, offset, size, entsize, flags, link, info, align', () => {
  for (const file of fx.all) {
    const elf = readElf(file);
    const oracle = readelfSections(file);
    assert.equal(elf.sections.length, oracle.length, file);
    assert.ok(oracle.length > 10);
    for (const o of oracle) {
      const s = elf.sections[o.index];
      const where = `${file} [${o.index}] ${o.name}`;
      assert.equal(s.name, o.name, where);
      assert.equal(s.type, sectionTypes[o.type], where);
      assert.equal(s.addr, o.addr, where);
      assert.equal(s.offset, o.offset, where);
      assert.equal(s.size, o.size, where);
      assert.equal(s.entsize, o.entsize, where);
      assert.equal(
        s.flags,
        [...o.flags].reduce((bits, letter) => bits | (flagLetters[letter] ?? 0n), 0n),
        where,
      );
      assert.equal(s.link, o.link, where);
      assert.equal(s.info, o.info, where);
      assert.equal(s.addralign, o.align, where);
    }
    elf.close();
  }
});

test('symbols equal readelf -sW: value, size, type, binding, section index, name', () => {
  for (const file of fx.all) {
    const elf = readElf(file);
    const symbols = elf.symbols();
    const oracle = readelfSymbols(file);
    assert.equal(symbols.length, oracle.length, file);
    for (const o of oracle) {
      const s = symbols[o.index];
      const where = `${file} symbol ${o.index} ${o.name}`;
      assert.equal(s.value, o.value, where);
      assert.equal(s.size, o.size, where);
      assert.equal(s.type, symbolTypes[o.type], where);
      assert.equal(s.bind, bindings[o.bind], where);
      assert.equal(String(s.shndx), { UND: '0', ABS: String(0xfff1), COM: String(0xfff2) }[o.ndx] ?? o.ndx, where);
      if (o.type !== 'SECTION') assert.equal(s.name, o.name, where);
    }
    elf.close();
  }
});

test('the linked image keeps both local helpers and both local states, as readelf lists them', () => {
  const elf = readElf(fx.image);
  const helpers = elf.symbols().filter((s) => s.name === 'helper');
  const oracle = readelfSymbols(fx.image).filter((s) => s.name === 'helper');
  assert.equal(helpers.length, 2);
  assert.deepEqual(
    helpers.map((h) => h.value),
    oracle.map((o) => o.value),
  );
  assert.ok(helpers.every((h) => h.bind === STB.LOCAL && h.type === STT.FUNC));
  elf.close();
});

test('RELA relocations equal readelf -rW: offset, type, symbol and addend', () => {
  for (const file of [fx.objectDwarf5, fx.objectDwarf4, fx.image]) {
    const elf = readElf(file);
    const symbols = elf.symbols();
    const oracle = readelfRelocations(file);
    assert.ok(oracle.length > 20, file);
    const ours = elf.sections.filter((s) => s.type === SHT.RELA).flatMap((rela) => elf.relocations(rela).map((r) => ({ section: rela.name, r })));
    assert.equal(ours.length, oracle.length, file);
    ours.forEach(({ section, r }, i) => {
      const o = oracle[i];
      const where = `${file} ${section} #${i}`;
      assert.equal(section, o.section, where);
      assert.equal(r.offset, o.offset, where);
      assert.equal(r.symbolIndex, o.symbolIndex, where);
      assert.equal(r.addend, o.addend, where);
      const target = symbols[r.symbolIndex];
      const name = target.type === STT.SECTION ? elf.sections[target.shndx].name : target.name;
      assert.equal(name, o.symbolName, where);
    });
    elf.close();
  }
});

test('notes and the build-id equal readelf -n, for .note.gnu.build-id and for a vmlinux-style .notes', () => {
  for (const file of fx.all) {
    const elf = readElf(file);
    const oracle = readelfNotes(file);
    assert.equal(elf.buildId(), oracle.buildId, file);
    assert.deepEqual(
      elf.notes().map((n) => n.owner),
      oracle.notes.map((n) => n.owner),
      file,
    );
    elf.close();
  }
  const image = readElf(fx.image);
  assert.equal(image.section('.note.gnu.build-id'), undefined, 'the fixture keeps its build-id in .notes, as vmlinux does');
  assert.match(image.buildId() ?? '', /^[0-9a-f]{40}$/);
  image.close();
});
