import { DwarfFacts, ElfFile, ElfSymbol, STB, STT } from '../elf';
import { EntryInspector } from './traceability';
import { TargetIndexData, TargetSymbol } from './model';

const bindings: Record<number, TargetSymbol['binding']> = { [STB.LOCAL]: 'local', [STB.GLOBAL]: 'global', [STB.WEAK]: 'weak' };

/** The target's FUNC and OBJECT symbols in kallsyms order (by address), with sympos and entry facts. */
export function collectSymbols(elf: ElfFile): TargetSymbol[] {
  const all = elf.symbols();
  const inspector = new EntryInspector(elf, all);
  const wanted = all.filter((s) => (s.type === STT.FUNC || s.type === STT.OBJECT) && s.name !== '' && s.shndx !== 0 && s.shndx < 0xff00);
  // kallsyms lists symbols by address; ties keep symbol-table order.
  wanted.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.index - b.index));
  const seen = new Map<string, number>();
  return wanted.map((s: ElfSymbol): TargetSymbol => {
    const sympos = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, sympos);
    const entry = s.type === STT.FUNC ? inspector.inspect(s) : { traceable: false, endbr: false };
    return {
      name: s.name, address: s.value, size: s.size,
      kind: s.type === STT.FUNC ? 'function' : 'object',
      binding: bindings[s.bind] ?? 'global',
      section: elf.sections[s.shndx]?.name ?? '',
      sympos, traceable: entry.traceable, endbr: entry.endbr,
    };
  });
}

/** Joins the symbol facts and the DWARF facts into what the index holds. */
export function assembleTargetData(path: string, buildId: string, symbols: TargetSymbol[], facts: DwarfFacts): TargetIndexData {
  return {
    path, buildId, symbols,
    inlineSites: facts.inlines.map((i) => ({
      callee: i.callee, function: i.function, caller: i.caller, file: i.callFile, line: i.callLine,
      ...(i.address !== undefined ? { address: i.address } : {}),
    })),
    concreteFunctions: [...new Set(facts.subprograms.filter((s) => s.concrete).map((s) => s.name))],
    structs: [...facts.structs.values()],
  };
}
