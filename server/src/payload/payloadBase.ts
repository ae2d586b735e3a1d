import * as path from 'node:path';
import { ElfFile, SHN, SHT, STB, STT } from '../elf';
import { readBuildIdNote } from './buildIdNote';
import { ElfIdentity, PayloadSymbols, SectionSummary } from './model';
import { readModinfo } from './modinfo';

const relaEntrySize = 24n;

/** What every payload kind shares: identity, sections, symbols, own build-id, .modinfo. */
export function readPayloadBase(elf: ElfFile, identity: ElfIdentity) {
  const relocCounts = new Map<number, number>();
  for (const s of elf.sections) if (s.type === SHT.RELA) relocCounts.set(s.info, (relocCounts.get(s.info) ?? 0) + Number(s.size / relaEntrySize));
  const sections: SectionSummary[] = elf.sections.slice(1).map((s) => ({
    index: s.index,
    name: s.name,
    type: s.type,
    flags: s.flags,
    size: s.size,
    addralign: s.addralign,
    entsize: s.entsize,
    relocations: relocCounts.get(s.index) ?? 0,
  }));
  const buildId = readBuildIdNote(elf, '.note.gnu.build-id');
  const modinfo = readModinfo(elf);
  return {
    file: elf.path,
    name: path.basename(elf.path).replace(/\.[^.]*$/, ''),
    identity,
    sections,
    symbols: readPayloadSymbols(elf),
    ...(buildId ? { buildId } : {}),
    ...(modinfo ? { modinfo } : {}),
  };
}

function readPayloadSymbols(elf: ElfFile): PayloadSymbols {
  const symbols = elf.symbols().slice(1);
  // prettier-ignore
  return {
    undefinedNames: symbols.filter((s) => s.shndx === SHN.UNDEF && s.name !== '').map((s) => s.name),
    weakUndefinedNames: symbols.filter((s) => s.shndx === SHN.UNDEF && s.name !== '' && s.bind === STB.WEAK).map((s) => s.name),
    definedGlobals: symbols
      .filter((s) => s.bind !== STB.LOCAL && s.shndx !== SHN.UNDEF && s.shndx < SHN.LORESERVE && (s.type === STT.FUNC || s.type === STT.OBJECT || s.type === STT.NOTYPE))
      .map((s) => ({ name: s.name, section: elf.sectionAt(s.shndx, `section of symbol ${s.name}`).name, type: s.type, value: s.value, size: s.size })),
    commonNames: symbols.filter((s) => s.shndx === SHN.COMMON).map((s) => s.name),
  };
}
