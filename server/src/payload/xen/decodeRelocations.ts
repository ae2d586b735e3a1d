import { ElfFile, R_X86_64, SHF } from '../../elf';
import { UnusualRelocation } from '../model';

/** What Xen 4.17's x86 arch_livepatch_perform_rela() applies: NONE, 64, PC32, PLT32; any other type is "Unhandled relocation". */
export const xenRelocationTypes: ReadonlySet<number> = new Set([0, 1, 2, 4]);

/**
 * The relocations of SHF_ALLOC sections (the only ones Xen relocates; debug sections are never
 * loaded) that are against STN_UNDEF or of a type outside xenRelocationTypes.
 */
export function decodeUnusualRelocations(elf: ElfFile): UnusualRelocation[] {
  const found: UnusualRelocation[] = [];
  for (const section of elf.sections.filter((s) => (s.flags & SHF.ALLOC) !== 0n)) {
    for (const rela of elf.relocationSectionsFor(section)) {
      for (const r of elf.relocations(rela)) {
        if (r.symbolIndex !== 0 && xenRelocationTypes.has(r.type)) continue;
        found.push({ section: section.name, offset: r.offset, type: r.type, typeName: R_X86_64[r.type] ?? `type ${r.type}`, undefinedSymbol: r.symbolIndex === 0 });
      }
    }
  }
  return found;
}
