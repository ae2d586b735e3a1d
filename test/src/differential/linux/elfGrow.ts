import { parseElf } from '../../../../server/out/elf';

/*
 * Growing a relocatable ELF without moving what is there: new bytes go at the end of the file,
 * and a table that grows (the section headers, .shstrtab, .symtab, .strtab) is copied to the end
 * with its new entry, its header pointed at the copy. Every index and offset already in the file
 * stays valid, so a variant differs from its base by what was added and nothing else.
 */

const SHDR = 64;
const SYM = 24;

function appendAt(bytes: Buffer, data: Buffer, align: number): { bytes: Buffer; offset: number } {
  const offset = Math.ceil(bytes.length / align) * align;
  const grown = Buffer.alloc(offset + data.length);
  bytes.copy(grown);
  data.copy(grown, offset);
  return { bytes: grown, offset };
}

function sectionHeaderOffset(bytes: Buffer, index: number): number {
  return Number(bytes.readBigUInt64LE(0x28)) + index * SHDR;
}

/** Copies section `index`'s data to the end of the file with `extra` after it; returns where `extra` landed, in the section. */
function growSection(bytes: Buffer, index: number, extra: Buffer, align: number): { bytes: Buffer; at: number } {
  const header = sectionHeaderOffset(bytes, index);
  const offset = Number(bytes.readBigUInt64LE(header + 24));
  const size = Number(bytes.readBigUInt64LE(header + 32));
  const moved = appendAt(bytes, Buffer.concat([bytes.subarray(offset, offset + size), extra]), align);
  moved.bytes.writeBigUInt64LE(BigInt(moved.offset), header + 24);
  moved.bytes.writeBigUInt64LE(BigInt(size + extra.length), header + 32);
  return { bytes: moved.bytes, at: size };
}

/** Adds a string to the string table of section `index`; returns its offset there. */
function addString(bytes: Buffer, index: number, text: string): { bytes: Buffer; at: number } {
  return growSection(bytes, index, Buffer.from(`${text}\0`, 'latin1'), 1);
}

export interface NewSection {
  name: string;
  type: number;
  flags: bigint;
  data: Buffer;
  link?: number;
  info?: number;
  addralign?: bigint;
  entsize?: bigint;
}

/** Adds a section (its name to .shstrtab, its data and header at the end); returns the file and the new section's index. */
export function addSection(input: Buffer, section: NewSection): { bytes: Buffer; index: number } {
  const shstrndx = input.readUInt16LE(0x3e);
  const named = addString(input, shstrndx, section.name);
  const data = appendAt(named.bytes, section.data, 8);
  let bytes = data.bytes;
  const shnum = bytes.readUInt16LE(0x3c);
  const headers = Buffer.alloc((shnum + 1) * SHDR);
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  bytes.copy(headers, 0, shoff, shoff + shnum * SHDR);
  const h = shnum * SHDR;
  headers.writeUInt32LE(named.at, h);
  headers.writeUInt32LE(section.type, h + 4);
  headers.writeBigUInt64LE(section.flags, h + 8);
  headers.writeBigUInt64LE(BigInt(data.offset), h + 24);
  headers.writeBigUInt64LE(BigInt(section.data.length), h + 32);
  headers.writeUInt32LE(section.link ?? 0, h + 40);
  headers.writeUInt32LE(section.info ?? 0, h + 44);
  headers.writeBigUInt64LE(section.addralign ?? 8n, h + 48);
  headers.writeBigUInt64LE(section.entsize ?? 0n, h + 56);
  const table = appendAt(bytes, headers, 8);
  bytes = table.bytes;
  bytes.writeBigUInt64LE(BigInt(table.offset), 0x28);
  bytes.writeUInt16LE(shnum + 1, 0x3c);
  return { bytes, index: shnum };
}

export interface NewSymbol {
  name: string;
  /** st_info: binding << 4 | type. */
  info: number;
  shndx: number;
  value?: bigint;
  size?: bigint;
}

/** Appends a symbol to .symtab (its name to the table's .strtab); returns the file and the symbol's index. */
export function addSymbol(input: Buffer, symbol: NewSymbol): { bytes: Buffer; index: number } {
  const symtab = parseElf(input, 'variant').sections.find((s) => s.type === 2);
  if (!symtab) throw new Error('no .symtab');
  const named = addString(input, symtab.link, symbol.name);
  const entry = Buffer.alloc(SYM);
  entry.writeUInt32LE(named.at, 0);
  entry[4] = symbol.info;
  entry.writeUInt16LE(symbol.shndx, 6);
  entry.writeBigUInt64LE(symbol.value ?? 0n, 8);
  entry.writeBigUInt64LE(symbol.size ?? 0n, 16);
  const grown = growSection(named.bytes, symtab.index, entry, 8);
  return { bytes: grown.bytes, index: grown.at / SYM };
}

/** One Elf64_Rela. */
export function rela(offset: bigint, symbol: number, type: number, addend: bigint): Buffer {
  const entry = Buffer.alloc(SYM);
  entry.writeBigUInt64LE(offset, 0);
  entry.writeBigUInt64LE((BigInt(symbol) << 32n) | BigInt(type), 8);
  entry.writeBigInt64LE(addend, 16);
  return entry;
}
