import { ElfFile, NT_GNU_BUILD_ID } from '../elf';
import { BuildIdNote } from './model';

/**
 * A build-id note in a section of its own, judged the way Xen's xen_build_id_check() does:
 * one note, owner "GNU", type NT_GNU_BUILD_ID, a non-empty descriptor inside the section.
 * `.livepatch.depends` is PROGBITS, so the ELF reader's SHT_NOTE walk does not see it.
 */
export function readBuildIdNote(elf: ElfFile, name: string): BuildIdNote | undefined {
  const section = elf.section(name);
  if (!section) return undefined;
  const bytes = elf.sectionData(section);
  const note = (problem: string): BuildIdNote => ({ section: name, size: section.size, problem });
  if (bytes.length === 0) return note('the section is empty');
  if (bytes.length < 12) return note(`${bytes.length} bytes are too few for a note header (12 bytes)`);
  const nameSize = bytes.readUInt32LE(0);
  const descSize = bytes.readUInt32LE(4);
  const type = bytes.readUInt32LE(8);
  const descStart = 12 + Math.ceil(nameSize / 4) * 4;
  if (descStart + descSize > bytes.length)
    return note(`the note's name (${nameSize} bytes) and descriptor (${descSize} bytes) run past the end of the section (${bytes.length} bytes)`);
  const owner = bytes.toString('latin1', 12, 12 + nameSize).replace(/\0+$/, '');
  if (owner !== 'GNU' || type !== NT_GNU_BUILD_ID) return note(`the note is owner "${owner}" type ${type}, not a GNU build-id (owner "GNU", type ${NT_GNU_BUILD_ID})`);
  if (descSize === 0) return note('the build-id note has an empty descriptor');
  return { section: name, size: section.size, buildId: bytes.toString('hex', descStart, descStart + descSize) };
}
