import { ET, R_X86_64_32, R_X86_64_64, SHF, SHT, STT } from '../constants';
import type { ElfFile } from '../elfFile';
import { DwarfError } from '../errors';
import { ElfSection } from '../types';

const names = ['info', 'abbrev', 'str', 'line_str', 'str_offsets', 'addr', 'rnglists', 'ranges', 'line'] as const;
export type DebugSectionName = (typeof names)[number];

/**
 * The debug sections' bytes, decompressed, and for ET_REL objects with their relocations
 * applied: in a .o, strp/sec_offset fields are 0 in place and the real value is the RELA addend.
 * Linked images (vmlinux, with --emit-relocs) already hold final values and are left alone.
 */
export class DebugSections {
  private readonly data = new Map<DebugSectionName, Buffer>();
  /** .debug_info when it is read unit by unit (see loadInfo). */
  private readonly lazyInfo: ElfSection | undefined;

  constructor(readonly elf: ElfFile) {
    for (const name of names) {
      const section = elf.section(`.debug_${name}`);
      if (!section || section.type === SHT.NOBITS) continue;
      if (name === 'info' && elf.header.type !== ET.REL && !(section.flags & SHF.COMPRESSED)) {
        // A worker scanning a slice of a vmlinux needs about its share of .debug_info's 170 MB:
        // the bytes are read per unit as the reader prepares it, into zeroed pages that cost
        // no memory until written.
        this.data.set(name, Buffer.alloc(Number(section.size)));
        this.lazyInfo = section;
        continue;
      }
      let bytes = elf.sectionData(section);
      if (elf.header.type === ET.REL) bytes = applyRelocations(elf, section, Buffer.from(bytes));
      this.data.set(name, bytes);
    }
  }

  /** Reads [start, end) of .debug_info from the file, when it is read unit by unit. */
  loadInfo(start: number, end: number): void {
    if (!this.lazyInfo || end <= start) return;
    const bytes = this.elf.readBytes(this.lazyInfo.offset + BigInt(start), BigInt(end - start), `.debug_info at 0x${start.toString(16)}`);
    bytes.copy(this.data.get('info')!, start);
  }

  get(name: DebugSectionName): Buffer | undefined {
    return this.data.get(name);
  }

  /** The section's bytes, or a DwarfError when a reference needs a section that is absent. */
  require(name: DebugSectionName, structure: string, offset: number): Buffer {
    const bytes = this.data.get(name);
    if (!bytes) throw new DwarfError(this.elf.path, structure, BigInt(offset), `refers to .debug_${name}, which the file does not have`);
    return bytes;
  }
}

function applyRelocations(elf: ElfFile, section: ElfSection, bytes: Buffer): Buffer {
  for (const rela of elf.relocationSectionsFor(section)) {
    const symbols = elf.symbols(elf.sectionAt(rela.link, `sh_link of ${rela.name}`));
    for (const r of elf.relocations(rela)) {
      const symbol = symbols[r.symbolIndex];
      if (!symbol) throw new DwarfError(elf.path, `relocation in ${rela.name}`, r.offset, `symbol index ${r.symbolIndex} does not exist`);
      // Section symbols and symbols of the object's own sections are section-relative in a .o.
      const value = (symbol.type === STT.SECTION ? 0n : symbol.value) + r.addend;
      const width = r.type === R_X86_64_64 ? 8n : r.type === R_X86_64_32 ? 4n : 0n;
      if (width === 0n) continue;
      if (r.offset + width > BigInt(bytes.length)) {
        throw new DwarfError(elf.path, `relocation in ${rela.name}`, r.offset, `patches ${width} bytes past the end of ${section.name}`);
      }
      if (width === 8n) bytes.writeBigUInt64LE(BigInt.asUintN(64, value), Number(r.offset));
      else bytes.writeUInt32LE(Number(BigInt.asUintN(32, value)), Number(r.offset));
    }
  }
  return bytes;
}
