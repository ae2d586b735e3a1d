import { PT, SHT } from './constants';
import { ElfError } from './errors';
import { ElfContents, ElfNote } from './types';

const align = (n: number, to: number): number => (n + to - 1) & ~(to - 1);

/** Notes are 4-byte aligned, except in sections or segments aligned to 8 (.note.gnu.property). */
function parseNotes(file: string, bytes: Buffer, fileOffset: bigint, alignment: number, source: string): ElfNote[] {
  const notes: ElfNote[] = [];
  let at = 0;
  while (at < bytes.length) {
    const where = fileOffset + BigInt(at);
    if (at + 12 > bytes.length) throw new ElfError(file, `note in ${source}`, where, 'note header runs past the end of its section');
    const nameSize = bytes.readUInt32LE(at);
    const descSize = bytes.readUInt32LE(at + 4);
    const type = bytes.readUInt32LE(at + 8);
    const nameStart = at + 12;
    // Padding is to the alignment from the start of the note section, not of the name.
    const descStart = align(nameStart + nameSize, alignment);
    const next = align(descStart + descSize, alignment);
    if (descStart + descSize > bytes.length || nameStart + nameSize > bytes.length) {
      throw new ElfError(file, `note in ${source}`, where, `name (${nameSize} bytes) or descriptor (${descSize} bytes) runs past the end of its section`);
    }
    const owner = bytes.toString('latin1', nameStart, nameStart + nameSize).replace(/\0+$/, '');
    notes.push({ owner, type, desc: Buffer.from(bytes.subarray(descStart, descStart + descSize)), source });
    at = next;
  }
  return notes;
}

export function readNotes(elf: ElfContents): ElfNote[] {
  if (elf.sections.length) {
    return elf.sections.filter((s) => s.type === SHT.NOTE).flatMap((s) => parseNotes(elf.path, elf.sectionData(s), s.offset, s.addralign === 8n ? 8 : 4, s.name));
  }
  return elf.segments.flatMap((p, i) =>
    p.type === PT.NOTE ? parseNotes(elf.path, elf.readBytes(p.offset, p.filesz, `PT_NOTE segment ${i}`), p.offset, p.align === 8n ? 8 : 4, `PT_NOTE segment ${i}`) : [],
  );
}
