import { ElfRelocation } from '../../elf';
import { RelocatedSections } from '../relocatedSections';
import { AltInstruction, BugFrameRef, SpecialSection } from '../model';

/** Arch tables the hypervisor bounds-checks or applies when it loads a payload. */
const specialNames = /^(\.altinstructions|\.altinstr_replacement|\.alt_call_sites|\.ex_table|\.fixup|\.bug_frames\.\d+)$/;

/**
 * x86 `struct alt_instr` (xen/arch/x86/include/asm/alternative.h): s32 orig_offset,
 * s32 repl_offset (both PC-relative, so relocated), u16 cpuid, u8 orig_len, u8 repl_len,
 * u8 pad_len, u8 priv: 14 bytes unless sh_entsize says otherwise (Xen 4.17 refuses a section
 * of another size: "Wrong size 9 of .altinstructions (must be multiple of 14)").
 */
export const altInstrSize = 14;

export function decodeSpecialSections(view: RelocatedSections): SpecialSection[] {
  return view.elf.sections.filter((s) => specialNames.test(s.name)).map((s) => ({ name: s.name, size: s.size, relocations: view.relocationsOf(s).size }));
}

export function decodeAltInstructions(view: RelocatedSections): AltInstruction[] {
  const section = view.elf.section('.altinstructions');
  if (!section) return [];
  const size = section.entsize > 0n && section.entsize < 256n ? Number(section.entsize) : altInstrSize;
  const bytes = view.bytes(section);
  const relocs = view.relocationsOf(section);
  const target = (r: ElfRelocation | undefined) => (r ? view.describe(r, section) : undefined);
  const entries: AltInstruction[] = [];
  for (let index = 0; (index + 1) * size <= bytes.length; index++) {
    const at = index * size;
    const orig = target(relocs.get(BigInt(at)));
    const repl = target(relocs.get(BigInt(at + 4)));
    entries.push({
      index,
      ...(orig ? { orig } : {}),
      ...(repl ? { repl } : {}),
      cpuid: bytes.readUInt16LE(at + 8),
      origLen: bytes[at + 10],
      replLen: bytes[at + 11],
      padLen: bytes[at + 12],
    });
  }
  return entries;
}

/**
 * The WARN, BUG and ASSERT frames (Xen 4.17's x86 struct bug_frame, 8 bytes: a 24-bit displacement
 * to the ud2 with 7 bits of the line above it, then the file's): each frame's first word is
 * relocated against the ud2's section, the line bits riding in the addend. An ASSERT's second
 * pair (`0, message`) has no relocation on its first word and is no frame.
 */
export function decodeBugFrames(view: RelocatedSections): BugFrameRef[] {
  return ([1, 2, 3] as const).flatMap((type) => {
    const section = view.elf.section(`.bug_frames.${type}`);
    if (!section) return [];
    return [...view.relocationsOf(section)].flatMap(([offset, reloc]) => {
      if (offset % 8n !== 0n) return [];
      const ref = view.describe(reloc, section);
      const lineBits = reloc.addend - BigInt.asIntN(24, reloc.addend);
      return [{ type, offset, at: { ...ref, ...(ref.sectionOffset !== undefined ? { sectionOffset: ref.sectionOffset - lineBits } : {}) } }];
    });
  });
}
