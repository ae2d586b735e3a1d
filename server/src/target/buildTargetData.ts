import { ElfFile, ElfSymbol, ET, SHN, STB, STT } from '../elf';
import { TargetSymbol } from './model';
import { StringTable } from './stringTable';
import { allocateColumns, Columns, symbolFlag } from './tables';
import { EntryInspector } from './traceability';

/**
 * A linked vmlinux folds .sched.text, .noinstr.text and friends into its .text output section;
 * the kernel's linker script brackets each with these symbols, which recover the input section.
 */
const textMarkers: Array<[start: string, end: string, section: string]> = [
  ['__sched_text_start', '__sched_text_end', '.sched.text'],
  ['__noinstr_text_start', '__noinstr_text_end', '.noinstr.text'],
  ['__lock_text_start', '__lock_text_end', '.spinlock.text'],
  ['__cpuidle_text_start', '__cpuidle_text_end', '.cpuidle.text'],
  ['__kprobes_text_start', '__kprobes_text_end', '.kprobes.text'],
  ['__entry_text_start', '__entry_text_end', '.entry.text'],
  ['__irqentry_text_start', '__irqentry_text_end', '.irqentry.text'],
  ['__softirqentry_text_start', '__softirqentry_text_end', '.softirqentry.text'],
  ['_sinittext', '_einittext', '.init.text'],
];

const markerNames = new Set(textMarkers.flatMap(([start, end]) => [start, end]));

interface MarkedRange {
  start: bigint;
  end: bigint;
  section: string;
}

function markedRanges(elf: ElfFile, symbols: readonly ElfSymbol[]): MarkedRange[] {
  if (elf.header.type === ET.REL) return [];
  const byName = new Map<string, bigint>();
  for (const s of symbols) if (markerNames.has(s.name) && !byName.has(s.name)) byName.set(s.name, s.value);
  return textMarkers.flatMap(([start, end, section]) => {
    const from = byName.get(start);
    const to = byName.get(end);
    return from !== undefined && to !== undefined && from < to ? [{ start: from, end: to, section }] : [];
  });
}

const bindings: Record<number, TargetSymbol['binding']> = { [STB.LOCAL]: 'local', [STB.GLOBAL]: 'global', [STB.WEAK]: 'weak' };

/** The target's FUNC and OBJECT symbols in kallsyms order (by address), with sympos and entry facts. */
export function collectSymbols(elf: ElfFile): TargetSymbol[] {
  const all = elf.symbols();
  const inspector = new EntryInspector(elf, all);
  const ranges = markedRanges(elf, all);
  const sectionOf = (s: ElfSymbol): string => ranges.find((r) => s.value >= r.start && s.value < r.end)?.section ?? elf.sections[s.shndx]?.name ?? '';
  const wanted = all.filter((s) => (s.type === STT.FUNC || s.type === STT.OBJECT) && s.name !== '' && s.shndx !== SHN.UNDEF && s.shndx < SHN.LORESERVE);
  // kallsyms lists symbols by address; ties keep symbol-table order. The 64-bit address is
  // compared as two 32-bit numbers: BigInt comparisons made this sort a tenth of the symbol phase.
  const high = Float64Array.from(wanted, (s) => Number(s.value >> 32n));
  const low = Float64Array.from(wanted, (s) => Number(s.value & 0xffffffffn));
  const order = Array.from(wanted.keys()).sort((a, b) => high[a] - high[b] || low[a] - low[b] || wanted[a].index - wanted[b].index);
  const seen = new Map<string, number>();
  return order.map((at): TargetSymbol => {
    const s = wanted[at];
    const sympos = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, sympos);
    const entry = s.type === STT.FUNC ? inspector.inspect(s) : { traceable: false, endbr: false };
    // prettier-ignore
    return {
      name: s.name, address: s.value, size: s.size,
      kind: s.type === STT.FUNC ? 'function' : 'object',
      binding: bindings[s.bind] ?? 'global',
      section: s.type === STT.FUNC ? sectionOf(s) : elf.sections[s.shndx]?.name ?? '',
      sympos, traceable: entry.traceable, endbr: entry.endbr,
    };
  });
}

/** The symbols as columns, their names and sections interned in `strings`. */
export function symbolColumns(symbols: readonly TargetSymbol[], strings: StringTable): Columns<'symbols'> {
  const columns = allocateColumns('symbols', symbols.length);
  symbols.forEach((s, row) => {
    columns.name[row] = strings.id(s.name);
    columns.address[row] = s.address;
    columns.size[row] = s.size;
    columns.section[row] = strings.id(s.section);
    columns.sympos[row] = s.sympos;
    columns.flags[row] =
      (s.kind === 'function' ? symbolFlag.function : 0) |
      (s.traceable ? symbolFlag.traceable : 0) |
      (s.endbr ? symbolFlag.endbr : 0) |
      (s.binding === 'local' ? symbolFlag.local : 0) |
      (s.binding === 'weak' ? symbolFlag.weak : 0);
  });
  return columns;
}
