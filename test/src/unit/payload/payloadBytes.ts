import { readFileSync } from 'node:fs';
import { parseElf } from '../../../../server/out/elf';
import { samplePath } from '../samples/binutils';

/* Byte surgery on the built samples: each test derives the bad payload it needs from a good one. */

export const xenSample = (name: string): string => samplePath('build', 'payloads', 'xen', `${name}.livepatch`);
export const klpSample = (): string => samplePath('build', 'payloads', 'klp', 'livepatch-sample.ko');

export const sampleBytes = (file: string): Buffer => Buffer.from(readFileSync(file));

/** Section header field offsets (ELF64). */
const shField = { name: 0, type: 4, flags: 8, offset: 24, size: 32, link: 40, info: 44, entsize: 56 } as const;

function headerOffset(bytes: Buffer, section: string): number {
  const elf = parseElf(bytes, 'mutated');
  const s = elf.section(section);
  if (!s) throw new Error(`no section ${section}`);
  return Number(elf.header.shoff) + s.index * 64;
}

export function setSectionField(bytes: Buffer, section: string, field: keyof typeof shField, value: bigint): Buffer {
  const at = headerOffset(bytes, section) + shField[field];
  if (field === 'flags' || field === 'offset' || field === 'size' || field === 'entsize') bytes.writeBigUInt64LE(value, at);
  else bytes.writeUInt32LE(Number(value), at);
  return bytes;
}

/** File offset of a section's data. */
export function sectionData(bytes: Buffer, section: string): { offset: number; size: number } {
  const s = parseElf(bytes, 'mutated').section(section);
  if (!s) throw new Error(`no section ${section}`);
  return { offset: Number(s.offset), size: Number(s.size) };
}

/** Replaces the first occurrence of `from` inside `section`'s data with `to` (same length or NUL-padded). */
export function replaceInSection(bytes: Buffer, section: string, from: string, to: string): Buffer {
  const { offset, size } = sectionData(bytes, section);
  const at = bytes.subarray(offset, offset + size).indexOf(Buffer.from(`${from}\0`, 'latin1'));
  if (at < 0) throw new Error(`"${from}" not in ${section}`);
  if (to.length > from.length) throw new Error('replacement longer than the original');
  Buffer.from(to.padEnd(from.length + 1, '\0'), 'latin1').copy(bytes, offset + at);
  return bytes;
}

/** Renames a section in place (the new name must not be longer). */
export function renameSection(bytes: Buffer, from: string, to: string): Buffer {
  const elf = parseElf(bytes, 'mutated');
  return replaceInSection(bytes, elf.sections[elf.header.shstrndx].name, from, to);
}

export function setElfHeaderU16(bytes: Buffer, offset: number, value: number): Buffer {
  bytes.writeUInt16LE(value, offset);
  return bytes;
}

/** File offset of entry `index` of a table section (symbols, relocations: 24-byte entries). */
function entryAt(bytes: Buffer, section: string, index: number): number {
  const { offset, size } = sectionData(bytes, section);
  if ((index + 1) * 24 > size) throw new Error(`${section} has no entry ${index}`);
  return offset + index * 24;
}

/** The symbol index relocation `index` of `relaSection` is against. */
export const relocationSymbol = (bytes: Buffer, relaSection: string, index: number): number => Number(bytes.readBigUInt64LE(entryAt(bytes, relaSection, index) + 8) >> 32n);

/** Sets r_addend of relocation `index` of `relaSection`. */
export function setRelocationAddend(bytes: Buffer, relaSection: string, index: number, addend: bigint): Buffer {
  bytes.writeBigInt64LE(addend, entryAt(bytes, relaSection, index) + 16);
  return bytes;
}

/** Sets st_value of symbol `index` of .symtab. */
export function setSymbolValue(bytes: Buffer, index: number, value: bigint): Buffer {
  bytes.writeBigUInt64LE(value, entryAt(bytes, '.symtab', index) + 8);
  return bytes;
}

/** Points relocation `index` of `relaSection` at symbol `symbol` (its type kept). */
export function setRelocationSymbol(bytes: Buffer, relaSection: string, index: number, symbol: number): Buffer {
  const at = entryAt(bytes, relaSection, index) + 8;
  bytes.writeBigUInt64LE((BigInt(symbol) << 32n) | (bytes.readBigUInt64LE(at) & 0xffffffffn), at);
  return bytes;
}
