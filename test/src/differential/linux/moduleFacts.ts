import { ElfFile, ElfRelocation, ElfSection, ElfSymbol, parseElf, SHF, SHT } from '../../../../server/out/elf';
import { decodePayloadBytes } from '../../../../server/out/payload/openPayload';
import type { KlpPatch } from '../../../../server/out/payload/model';

/** A relocation with where it sits: its RELA section, the section it patches, its entry's file offset. */
export interface PlacedRelocation extends ElfRelocation {
  rela: ElfSection;
  target: ElfSection;
  index: number;
  fileOffset: number;
}

/** One `key=value` of .modinfo, with the file offset of the value. */
export interface ModinfoField {
  key: string;
  value: string;
  keyOffset: number;
  valueOffset: number;
}

/** What the mutators need to know about a base module, read once. */
export interface ModuleFacts {
  /** The sample's name (livepatch-sample, ...). */
  name: string;
  bytes: Buffer;
  elf: ElfFile;
  symtab: ElfSection;
  symbols: ElfSymbol[];
  relocations: PlacedRelocation[];
  /** Symbol index -> the relocations against it. */
  referencedBy: Map<number, PlacedRelocation[]>;
  modinfo: ModinfoField[];
  patch?: KlpPatch;
  /**
   * Whether nothing runs the bytes a relocation patches while a variant is loaded and removed:
   * sites inside replacement functions (klp_func.new_func), which run only when the patched
   * function is called, and never the ftrace or return-thunk call sites the kernel rewrites at
   * load. A change there that the loader accepts cannot crash the kernel that accepted it.
   */
  quiet(r: PlacedRelocation): boolean;
}

const alloc = (s: ElfSection) => (s.flags & SHF.ALLOC) !== 0n;

export function moduleFacts(name: string, bytes: Buffer): ModuleFacts {
  const elf = parseElf(bytes, name);
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  if (!symtab) throw new Error(`${name}: no .symtab`);
  const symbols = elf.symbols(symtab);
  const relocations: PlacedRelocation[] = [];
  for (const rela of elf.sections.filter((s) => s.type === SHT.RELA)) {
    const target = elf.sections[rela.info];
    if (!target || !alloc(target)) continue;
    elf.relocations(rela).forEach((r, index) => relocations.push({ ...r, rela, target, index, fileOffset: Number(rela.offset) + index * 24 }));
  }
  const referencedBy = new Map<number, PlacedRelocation[]>();
  for (const r of relocations) referencedBy.set(r.symbolIndex, [...(referencedBy.get(r.symbolIndex) ?? []), r]);
  const patch = decodePayloadBytes(bytes, name).payload;
  const klp = patch?.kind === 'klp' ? patch.patch : undefined;
  const replacements = new Set(klp?.objects.flatMap((o) => o.funcs.flatMap((f) => (f.newFunc.reloc?.symbol ? [f.newFunc.reloc.symbol] : []))) ?? []);
  const ranges = symbols.filter((s) => replacements.has(s.name)).map((s) => ({ shndx: s.shndx, start: s.value, end: s.value + s.size }));
  const rewritten = new Set(['__fentry__', '__x86_return_thunk']);
  const quiet = (r: PlacedRelocation) =>
    !rewritten.has(symbols[r.symbolIndex]?.name ?? '') && ranges.some((g) => g.shndx === r.target.index && r.offset >= g.start && r.offset < g.end);
  return { name, bytes, elf, symtab, symbols, relocations, referencedBy, modinfo: readFields(elf), patch: klp, quiet };
}

function readFields(elf: ElfFile): ModinfoField[] {
  const section = elf.section('.modinfo');
  if (!section) return [];
  const data = elf.sectionData(section);
  const fields: ModinfoField[] = [];
  for (let at = 0; at < data.length;) {
    const end = data.indexOf(0, at);
    const text = data.toString('latin1', at, end < 0 ? data.length : end);
    const eq = text.indexOf('=');
    if (eq > 0) fields.push({ key: text.slice(0, eq), value: text.slice(eq + 1), keyOffset: Number(section.offset) + at, valueOffset: Number(section.offset) + at + eq + 1 });
    at = (end < 0 ? data.length : end) + 1;
  }
  return fields;
}
