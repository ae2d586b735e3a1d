import { inflateSync } from 'node:zlib';
import { ELFCOMPRESS } from './constants';
import { ElfError, ElfUnsupportedError } from './errors';
import { ElfSection } from './types';

const chdrSize = 24;

/** Inflates an SHF_COMPRESSED section (Elf64_Chdr + zlib stream, as `gcc -gz` writes). */
export function decompressSection(file: string, section: ElfSection, raw: Buffer): Buffer {
  const structure = `compression header of ${section.name}`;
  if (raw.length < chdrSize) throw new ElfError(file, structure, section.offset, `section is ${raw.length} bytes, shorter than Elf64_Chdr`);
  const type = raw.readUInt32LE(0);
  const size = raw.readBigUInt64LE(8);
  if (type === ELFCOMPRESS.ZSTD) {
    throw new ElfUnsupportedError(file, structure, section.offset, 'zstd-compressed sections are not supported (rebuild with -gz=zlib)');
  }
  if (type !== ELFCOMPRESS.ZLIB) throw new ElfError(file, structure, section.offset, `unknown compression type ${type}`);
  if (size > 0x7fff_f000n) throw new ElfError(file, structure, section.offset + 8n, `uncompressed size ${size} is implausible`);
  let data: Buffer;
  try {
    data = inflateSync(raw.subarray(chdrSize), { maxOutputLength: Math.max(Number(size), 1) });
  } catch (error) {
    throw new ElfError(file, structure, section.offset + BigInt(chdrSize), `zlib stream is corrupt: ${(error as Error).message}`);
  }
  if (BigInt(data.length) !== size) {
    throw new ElfError(file, structure, section.offset + 8n, `inflated to ${data.length} bytes, header says ${size}`);
  }
  return data;
}
