import { ElfFile, parseElf, SHT } from '../../../../server/out/elf';

/*
 * Byte-level edits of an ELF64 little-endian relocatable file, located with the project's ELF
 * reader: each helper changes one field of one header, symbol or relocation, or appends what
 * does not fit in place (a longer name, a new section) at the end of the file, leaving every
 * other byte where it was. Each returns the bytes to use next (a new buffer when it grew).
 */

export const elfOf = (bytes: Buffer): ElfFile => parseElf(bytes, 'variant');

/** Section header fields: offset within the 64-byte header and width. */
export const sectionFields = {
  name: [0, 4],
  type: [4, 4],
  flags: [8, 8],
  addr: [16, 8],
  offset: [24, 8],
  size: [32, 8],
  link: [40, 4],
  info: [44, 4],
  addralign: [48, 8],
  entsize: [56, 8],
} as const;
export type SectionField = keyof typeof sectionFields;

/** Symbol fields (Elf64_Sym, 24 bytes). */
export const symbolFields = { name: [0, 4], info: [4, 1], other: [5, 1], shndx: [6, 2], value: [8, 8], size: [16, 8] } as const;
export type SymbolField = keyof typeof symbolFields;

function put(bytes: Buffer, at: number, width: number, value: bigint): void {
  if (width === 8) bytes.writeBigUInt64LE(BigInt.asUintN(64, value), at);
  else if (width === 4) bytes.writeUInt32LE(Number(BigInt.asUintN(32, value)), at);
  else if (width === 2) bytes.writeUInt16LE(Number(BigInt.asUintN(16, value)), at);
  else bytes[at] = Number(BigInt.asUintN(8, value));
}

function get(bytes: Buffer, at: number, width: number): bigint {
  if (width === 8) return bytes.readBigUInt64LE(at);
  if (width === 4) return BigInt(bytes.readUInt32LE(at));
  if (width === 2) return BigInt(bytes.readUInt16LE(at));
  return BigInt(bytes[at]);
}

const sectionHeaderAt = (elf: ElfFile, index: number): number => Number(elf.header.shoff) + index * 64;

export function getSectionField(bytes: Buffer, index: number, field: SectionField): bigint {
  const [off, width] = sectionFields[field];
  return get(bytes, sectionHeaderAt(elfOf(bytes), index) + off, width);
}

export function setSectionField(bytes: Buffer, index: number, field: SectionField, value: bigint): Buffer {
  const [off, width] = sectionFields[field];
  put(bytes, sectionHeaderAt(elfOf(bytes), index) + off, width, value);
  return bytes;
}

function symtab(elf: ElfFile) {
  const s = elf.sections.find((x) => x.type === SHT.SYMTAB);
  if (!s) throw new Error('no .symtab');
  return s;
}

export function setSymbolField(bytes: Buffer, index: number, field: SymbolField, value: bigint): Buffer {
  const [off, width] = symbolFields[field];
  put(bytes, Number(symtab(elfOf(bytes)).offset) + index * 24 + off, width, value);
  return bytes;
}

/** One relocation entry with where it is in the file. */
export interface RelocationEntry {
  /** The SHT_RELA section and the section it patches. */
  rela: string;
  target: string;
  targetFlags: bigint;
  index: number;
  fileOffset: number;
  offset: bigint;
  type: number;
  symbol: number;
  addend: bigint;
}

/** Every entry of every SHT_RELA section, in file order. */
export function relocations(bytes: Buffer): RelocationEntry[] {
  const elf = elfOf(bytes);
  return elf.sections
    .filter((s) => s.type === SHT.RELA)
    .flatMap((rela) =>
      elf.relocations(rela).map((r, index) => ({
        rela: rela.name,
        target: elf.sections[rela.info]?.name ?? `#${rela.info}`,
        targetFlags: elf.sections[rela.info]?.flags ?? 0n,
        index,
        fileOffset: Number(rela.offset) + index * 24,
        offset: r.offset,
        type: r.type,
        symbol: r.symbolIndex,
        addend: r.addend,
      })),
    );
}

export function setRelocation(bytes: Buffer, entry: RelocationEntry, change: { offset?: bigint; type?: number; symbol?: number; addend?: bigint }): Buffer {
  const symbol = BigInt(change.symbol ?? entry.symbol);
  const type = BigInt(change.type ?? entry.type);
  put(bytes, entry.fileOffset, 8, change.offset ?? entry.offset);
  put(bytes, entry.fileOffset + 8, 8, (symbol << 32n) | type);
  put(bytes, entry.fileOffset + 16, 8, change.addend ?? entry.addend);
  return bytes;
}

/**
 * Appends `text` to string table section `table`: the table is copied to the end of the file
 * with the string after it (names elsewhere keep their offsets). Returns the string's offset.
 */
export function appendString(bytes: Buffer, table: number, text: string): { bytes: Buffer; offset: number } {
  const elf = elfOf(bytes);
  const s = elf.sections[table];
  const old = bytes.subarray(Number(s.offset), Number(s.offset + s.size));
  const grown = Buffer.concat([bytes, old, Buffer.from(`${text}\0`, 'latin1')]);
  setSectionField(grown, table, 'offset', BigInt(bytes.length));
  setSectionField(grown, table, 'size', BigInt(old.length + text.length + 1));
  return { bytes: grown, offset: old.length };
}

export function renameSection(bytes: Buffer, index: number, name: string): Buffer {
  const { bytes: grown, offset } = appendString(bytes, elfOf(bytes).header.shstrndx, name);
  return setSectionField(grown, index, 'name', BigInt(offset));
}

export function renameSymbol(bytes: Buffer, index: number, name: string): Buffer {
  const { bytes: grown, offset } = appendString(bytes, symtab(elfOf(bytes)).link, name);
  return setSymbolField(grown, index, 'name', BigInt(offset));
}

export interface NewSection {
  name: string;
  type: number;
  flags: bigint;
  data: Buffer;
  addralign?: bigint;
  link?: number;
  info?: number;
  entsize?: bigint;
}

/**
 * Adds a section: its data and a copy of the section header table with one more entry go at the
 * end of the file (8-aligned), e_shoff and e_shnum follow. Returns the bytes and its index.
 */
export function addSection(bytes: Buffer, section: NewSection): { bytes: Buffer; index: number } {
  const named = appendString(bytes, elfOf(bytes).header.shstrndx, section.name);
  const elf = elfOf(named.bytes);
  const pad = (n: number) => Buffer.alloc((8 - (n % 8)) % 8);
  const dataAt = named.bytes.length + pad(named.bytes.length).length;
  const withData = Buffer.concat([named.bytes, pad(named.bytes.length), section.data]);
  const tableAt = withData.length + pad(withData.length).length;
  const oldTable = named.bytes.subarray(Number(elf.header.shoff), Number(elf.header.shoff) + elf.header.shnum * 64);
  const entry = Buffer.alloc(64);
  const out = Buffer.concat([withData, pad(withData.length), oldTable, entry]);
  const index = elf.header.shnum;
  out.writeBigUInt64LE(BigInt(tableAt), 40);
  out.writeUInt16LE(index + 1, 60);
  const fields: Array<[SectionField, bigint]> = [
    ['name', BigInt(named.offset)],
    ['type', BigInt(section.type)],
    ['flags', section.flags],
    ['offset', BigInt(dataAt)],
    ['size', BigInt(section.data.length)],
    ['link', BigInt(section.link ?? 0)],
    ['info', BigInt(section.info ?? 0)],
    ['addralign', section.addralign ?? 1n],
    ['entsize', section.entsize ?? 0n],
  ];
  for (const [field, value] of fields) setSectionField(out, index, field, value);
  return { bytes: out, index };
}

/** An ELF note (namesz, descsz, type, name, desc; 4-aligned), e.g. a GNU build-id. */
export function note(name: string, type: number, desc: Buffer): Buffer {
  const align = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(name.length + 1, 0);
  header.writeUInt32LE(desc.length, 4);
  header.writeUInt32LE(type, 8);
  return Buffer.concat([header, align(Buffer.from(`${name}\0`, 'latin1')), align(desc)]);
}
