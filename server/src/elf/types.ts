// The records the ELF reader returns. Every address, size, offset and flag value is a BigInt;
// indexes and small enumerations (type, binding, link) are numbers.

export interface ElfHeader {
  osabi: number;
  abiVersion: number;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: bigint;
  shoff: bigint;
  flags: bigint;
  ehsize: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  /** The real count, taken from section header 0 when e_shnum is 0 (extended numbering). */
  shnum: number;
  /** The real index, taken from section header 0's sh_link when e_shstrndx is SHN_XINDEX. */
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

export interface ElfSegment {
  type: number;
  flags: bigint;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface ElfSymbol {
  /** Index in its symbol table. */
  index: number;
  name: string;
  value: bigint;
  size: bigint;
  /** STT_* */
  type: number;
  /** STB_* */
  bind: number;
  /** STV_* */
  visibility: number;
  /** The section index, with SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX. */
  shndx: number;
}

export interface ElfRelocation {
  /** r_offset: section offset in ET_REL, virtual address in linked images. */
  offset: bigint;
  /** R_X86_64_* */
  type: number;
  symbolIndex: number;
  addend: bigint;
}

export interface ElfNote {
  owner: string;
  type: number;
  desc: Buffer;
  /** The section (or "PT_NOTE segment N") the note was read from. */
  source: string;
}

/**
 * What the table readers (symbols, relocations, notes) need of an open file: its headers and
 * bounded reads. ElfFile implements it; the readers name this, not the class that calls them.
 */
export interface ElfContents {
  readonly path: string;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  sectionAt(index: number, structure: string): ElfSection;
  sectionData(section: ElfSection): Buffer;
  readBytes(offset: bigint, length: bigint, structure: string): Buffer;
}
