import { ET, R_X86_64_32, R_X86_64_64, SHF, SHT, STT } from '../constants';
import type { ElfFile } from '../elfFile';
import { DwarfError } from '../errors';
import { relaSize, relaTable } from '../relocations';
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

/**
 * Read straight from the Elf64_Rela bytes, 32-bit values as numbers: a module's .debug_info has a
 * relocation per string (4,600 in livepatch-sample.ko), and this runs cold on every insmod.
 */
function applyRelocations(elf: ElfFile, section: ElfSection, bytes: Buffer): Buffer {
  for (const rela of elf.relocationSectionsFor(section)) {
    const symbols = elf.symbols(elf.sectionAt(rela.link, `sh_link of ${rela.name}`));
    const table = relaTable(elf, rela);
    for (let at = 0; at < table.length; at += relaSize) {
      const symbolIndex = table.readUInt32LE(at + 12);
      const symbol = symbols[symbolIndex];
      if (!symbol) throw new DwarfError(elf.path, `relocation in ${rela.name}`, table.readBigUInt64LE(at), `symbol index ${symbolIndex} does not exist`);
      const type = table.readUInt32LE(at + 8);
      const width = type === R_X86_64_64 ? 8 : type === R_X86_64_32 ? 4 : 0;
      if (width === 0) continue;
      const offset = table.readUInt32LE(at);
      if (table.readUInt32LE(at + 4) !== 0 || offset + width > bytes.length) {
        throw new DwarfError(elf.path, `relocation in ${rela.name}`, table.readBigUInt64LE(at), `patches ${width} bytes past the end of ${section.name}`);
      }
      // Section symbols and symbols of the object's own sections are section-relative in a .o.
      if (width === 8) {
        const value = (symbol.type === STT.SECTION ? 0n : symbol.value) + table.readBigInt64LE(at + 16);
        bytes.writeBigUInt64LE(BigInt.asUintN(64, value), offset);
      } else {
        const base = symbol.type === STT.SECTION ? 0 : Number(BigInt.asUintN(32, symbol.value));
        bytes.writeUInt32LE((base + table.readUInt32LE(at + 16)) % 0x100000000, offset);
      }
    }
  }
  return bytes;
}
