import { SHT } from './constants';
import { ElfError } from './errors';
import { ElfContents, ElfRelocation, ElfSection } from './types';

export const relaSize = 24;

/** The raw Elf64_Rela entries of an SHT_RELA section, once checked to be whole entries. */
export function relaTable(elf: ElfContents, section: ElfSection): Buffer {
  const structure = `relocation section ${section.name}`;
  if (section.type !== SHT.RELA) throw new ElfError(elf.path, structure, section.offset, `section type ${section.type} is not SHT_RELA`);
  if (section.size % BigInt(relaSize) !== 0n) throw new ElfError(elf.path, structure, section.offset, `size ${section.size} is not a multiple of ${relaSize}`);
  return elf.sectionData(section);
}

export function readRelocations(elf: ElfContents, section: ElfSection): ElfRelocation[] {
  const bytes = relaTable(elf, section);
  const count = bytes.length / relaSize;
  const relocations: ElfRelocation[] = new Array<ElfRelocation>(count);
  for (let i = 0; i < count; i++) {
    const at = i * relaSize;
    relocations[i] = {
      offset: bytes.readBigUInt64LE(at),
      type: bytes.readUInt32LE(at + 8),
      symbolIndex: bytes.readUInt32LE(at + 12),
      addend: bytes.readBigInt64LE(at + 16),
    };
  }
  return relocations;
}
