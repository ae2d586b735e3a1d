import { SHN, SHT } from './constants';
import { ElfError } from './errors';
import { cString } from './strings';
import { ElfContents, ElfSection, ElfSymbol } from './types';

const symbolSize = 24;

export function readSymbols(elf: ElfContents, table: ElfSection): ElfSymbol[] {
  const structure = `symbol table ${table.name}`;
  if (table.entsize !== BigInt(symbolSize)) throw new ElfError(elf.path, structure, table.offset, `sh_entsize is ${table.entsize}, expected ${symbolSize}`);
  if (table.size % BigInt(symbolSize) !== 0n) throw new ElfError(elf.path, structure, table.offset, `size ${table.size} is not a multiple of ${symbolSize}`);
  const strtab = elf.sectionAt(table.link, `sh_link of ${structure}`);
  const names = elf.sectionData(strtab);
  const bytes = elf.sectionData(table);
  const shndxSection = elf.sections.find((s) => s.type === SHT.SYMTAB_SHNDX && s.link === table.index);
  const extended = shndxSection ? elf.sectionData(shndxSection) : undefined;
  const count = bytes.length / symbolSize;
  const symbols: ElfSymbol[] = new Array<ElfSymbol>(count);
  for (let i = 0; i < count; i++) {
    const at = i * symbolSize;
    const info = bytes[at + 4];
    let shndx = bytes.readUInt16LE(at + 6);
    if (shndx === SHN.XINDEX) {
      if (!extended || (i + 1) * 4 > extended.length) {
        throw new ElfError(elf.path, `${structure} entry ${i}`, table.offset + BigInt(at), 'st_shndx is SHN_XINDEX but SHT_SYMTAB_SHNDX has no entry for it');
      }
      shndx = extended.readUInt32LE(i * 4);
    }
    symbols[i] = {
      index: i,
      name: cString(names, bytes.readUInt32LE(at), elf.path, `name of ${structure} entry ${i}`, strtab.offset),
      value: bytes.readBigUInt64LE(at + 8),
      size: bytes.readBigUInt64LE(at + 16),
      type: info & 0xf,
      bind: info >> 4,
      visibility: bytes[at + 5] & 3,
      shndx,
    };
  }
  return symbols;
}
