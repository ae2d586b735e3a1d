import { BufferByteSource, ByteSource, FileByteSource } from './byteSource';
import { NT_GNU_BUILD_ID, SHF, SHN, SHT } from './constants';
import { ElfError, ElfUnsupportedError } from './errors';
import { decompressSection } from './compression';
import { readNotes } from './notes';
import { readRelocations } from './relocations';
import { readSymbols } from './symbols';
import { cString } from './strings';
import { ElfContents, ElfHeader, ElfNote, ElfRelocation, ElfSection, ElfSegment, ElfSymbol } from './types';

const elfHeaderSize = 64n;
const sectionHeaderSize = 64n;
const programHeaderSize = 56n;

/**
 * An open ELF64 little-endian file. Headers are read eagerly (they are small); symbols,
 * relocations, notes and section bytes only when asked for, and symbols are cached.
 */
export class ElfFile implements ElfContents {
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  private readonly byName = new Map<string, ElfSection>();
  private readonly symbolCache = new Map<number, ElfSymbol[]>();

  constructor(private readonly source: ByteSource) {
    this.header = this.readHeader();
    this.sections = this.readSections();
    for (const section of this.sections) if (!this.byName.has(section.name)) this.byName.set(section.name, section);
    this.segments = this.readSegments();
  }

  get path(): string {
    return this.source.name;
  }

  /** The first section of that name (section names are not unique in ET_REL files). */
  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** The section at that index, or an ElfError naming `structure` when there is none. */
  sectionAt(index: number, structure: string): ElfSection {
    const section = this.sections[index];
    if (!section) throw new ElfError(this.path, structure, 0n, `section index ${index} does not exist (${this.sections.length} sections)`);
    return section;
  }

  /** The bytes as stored in the file (still compressed for SHF_COMPRESSED); empty for SHT_NOBITS. */
  rawSectionData(section: ElfSection): Buffer {
    if (section.type === SHT.NOBITS || section.type === SHT.NULL) return Buffer.alloc(0);
    return this.source.read(section.offset, section.size, `section ${section.name}`);
  }

  /** The section's contents, decompressed when SHF_COMPRESSED; empty for SHT_NOBITS. */
  sectionData(section: ElfSection): Buffer {
    const raw = this.rawSectionData(section);
    return section.flags & SHF.COMPRESSED ? decompressSection(this.path, section, raw) : raw;
  }

  /** `length` bytes of the file at `offset` (used for reading code at a few addresses). */
  readBytes(offset: bigint, length: bigint, structure: string): Buffer {
    return this.source.read(offset, length, structure);
  }

  /** The symbol table (`.symtab` by default, or any SHT_SYMTAB / SHT_DYNSYM section). */
  symbols(table: ElfSection | undefined = this.sections.find((s) => s.type === SHT.SYMTAB)): ElfSymbol[] {
    if (!table) return [];
    let cached = this.symbolCache.get(table.index);
    if (!cached) {
      cached = readSymbols(this, table);
      this.symbolCache.set(table.index, cached);
    }
    return cached;
  }

  /** The entries of one SHT_RELA section. */
  relocations(relaSection: ElfSection): ElfRelocation[] {
    return readRelocations(this, relaSection);
  }

  /** The SHT_RELA sections whose sh_info names `target`. */
  relocationSectionsFor(target: ElfSection): ElfSection[] {
    return this.sections.filter((s) => s.type === SHT.RELA && s.info === target.index);
  }

  /** Every note, from SHT_NOTE sections, or from PT_NOTE segments when the file has no sections. */
  notes(): ElfNote[] {
    return readNotes(this);
  }

  /** The GNU build-id as lowercase hex, wherever it lives (`.note.gnu.build-id` or vmlinux `.notes`). */
  buildId(): string | undefined {
    const note = this.notes().find((n) => n.owner === 'GNU' && n.type === NT_GNU_BUILD_ID);
    return note?.desc.toString('hex');
  }

  close(): void {
    this.source.close();
  }

  private readHeader(): ElfHeader {
    const b = this.source.read(0n, this.source.size < elfHeaderSize ? this.source.size : elfHeaderSize, 'ELF header');
    if (b.length < 16 || b.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(this.path, 'ELF header', 0n, 'not an ELF file (bad magic)');
    if (b[4] !== 2) throw new ElfUnsupportedError(this.path, 'ELF header', 4n, `ELF class ${b[4]} is not supported (only ELF64)`);
    if (b[5] !== 1) throw new ElfUnsupportedError(this.path, 'ELF header', 5n, `data encoding ${b[5]} is not supported (only little-endian)`);
    if (b.length < Number(elfHeaderSize)) throw new ElfError(this.path, 'ELF header', 0n, `file is ${b.length} bytes, shorter than the 64-byte ELF64 header`);
    // prettier-ignore
    const header: ElfHeader = {
      osabi: b[7], abiVersion: b[8],
      type: b.readUInt16LE(16), machine: b.readUInt16LE(18), version: b.readUInt32LE(20),
      entry: b.readBigUInt64LE(24), phoff: b.readBigUInt64LE(32), shoff: b.readBigUInt64LE(40),
      flags: BigInt(b.readUInt32LE(48)), ehsize: b.readUInt16LE(52),
      phentsize: b.readUInt16LE(54), phnum: b.readUInt16LE(56),
      shentsize: b.readUInt16LE(58), shnum: b.readUInt16LE(60), shstrndx: b.readUInt16LE(62),
    };
    if (header.shoff !== 0n && header.shentsize !== Number(sectionHeaderSize)) {
      throw new ElfError(this.path, 'ELF header', 58n, `e_shentsize is ${header.shentsize}, expected 64`);
    }
    if (header.phoff !== 0n && header.phnum !== 0 && header.phentsize !== Number(programHeaderSize)) {
      throw new ElfError(this.path, 'ELF header', 54n, `e_phentsize is ${header.phentsize}, expected 56`);
    }
    if (header.shoff !== 0n && (header.shnum === 0 || header.shstrndx === SHN.XINDEX)) {
      // Extended numbering: the real values live in section header 0.
      const first = this.source.read(header.shoff, sectionHeaderSize, 'section header 0');
      if (header.shnum === 0) {
        const count = first.readBigUInt64LE(32);
        if (count > 0xffffffn) throw new ElfError(this.path, 'section header 0', header.shoff + 32n, `section count ${count} is implausible`);
        header.shnum = Number(count);
      }
      if (header.shstrndx === SHN.XINDEX) header.shstrndx = first.readUInt32LE(40);
    }
    return header;
  }

  private readSections(): ElfSection[] {
    const { shoff, shnum, shstrndx } = this.header;
    if (shoff === 0n || shnum === 0) return [];
    const table = this.source.read(shoff, BigInt(shnum) * sectionHeaderSize, `section header table (${shnum} entries)`);
    const sections: ElfSection[] = [];
    const nameOffsets: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const { section, nameOffset } = decodeSectionHeader(table, i * Number(sectionHeaderSize), i);
      nameOffsets.push(nameOffset);
      sections.push(section);
    }
    for (const s of sections) {
      if (s.type !== SHT.NOBITS && s.type !== SHT.NULL && s.offset + s.size > this.source.size) {
        throw new ElfError(
          this.path,
          `section header ${s.index}`,
          shoff + BigInt(s.index) * sectionHeaderSize,
          `section data [0x${s.offset.toString(16)}, +0x${s.size.toString(16)}) runs past the end of the file (${this.source.size} bytes)`,
        );
      }
    }
    if (shstrndx === SHN.UNDEF) return sections;
    if (shstrndx >= shnum) throw new ElfError(this.path, 'ELF header', 62n, `e_shstrndx ${shstrndx} is not a section (${shnum} sections)`);
    const names = this.rawSectionData(sections[shstrndx]);
    sections.forEach((s, i) => {
      s.name = cString(names, nameOffsets[i], this.path, `name of section header ${i}`, sections[shstrndx].offset);
    });
    return sections;
  }

  private readSegments(): ElfSegment[] {
    const { phoff, phnum } = this.header;
    if (phoff === 0n || phnum === 0) return [];
    const table = this.source.read(phoff, BigInt(phnum) * programHeaderSize, `program header table (${phnum} entries)`);
    const segments: ElfSegment[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = i * Number(programHeaderSize);
      segments.push({
        type: table.readUInt32LE(at),
        flags: BigInt(table.readUInt32LE(at + 4)),
        offset: table.readBigUInt64LE(at + 8),
        vaddr: table.readBigUInt64LE(at + 16),
        paddr: table.readBigUInt64LE(at + 24),
        filesz: table.readBigUInt64LE(at + 32),
        memsz: table.readBigUInt64LE(at + 40),
        align: table.readBigUInt64LE(at + 48),
      });
    }
    return segments;
  }
}

/** Opens an ELF64 file for random access; call `close()` when done. */
export function readElf(path: string): ElfFile {
  const source = new FileByteSource(path);
  try {
    return new ElfFile(source);
  } catch (error) {
    source.close();
    throw error;
  }
}

/** One Elf64_Shdr at `at` of `bytes`, unnamed (its sh_name offset beside it), unchecked. */
export function decodeSectionHeader(bytes: Buffer, at: number, index: number): { section: ElfSection; nameOffset: number } {
  return {
    nameOffset: bytes.readUInt32LE(at),
    section: {
      index,
      name: '',
      type: bytes.readUInt32LE(at + 4),
      flags: bytes.readBigUInt64LE(at + 8),
      addr: bytes.readBigUInt64LE(at + 16),
      offset: bytes.readBigUInt64LE(at + 24),
      size: bytes.readBigUInt64LE(at + 32),
      link: bytes.readUInt32LE(at + 40),
      info: bytes.readUInt32LE(at + 44),
      addralign: bytes.readBigUInt64LE(at + 48),
      entsize: bytes.readBigUInt64LE(at + 56),
    },
  };
}

/** Reads an ELF64 image that is already in memory; `name` is used in error messages. */
export function parseElf(bytes: Buffer, name: string): ElfFile {
  return new ElfFile(new BufferByteSource(name, bytes));
}
