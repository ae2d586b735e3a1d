import { directTransfers, ElfFile, ET, SHF, SHT } from '../elf';
import { allocateColumns, Columns, symbolFlag } from './tables';

/**
 * The target's direct call graph, from its text: each function symbol's `call rel32` to the
 * start of a function, and its `jmp` or jcc to the start of another (a tail call, a `.cold`
 * part), one row per caller
 * and callee, grouped by caller in symbol order. Calls through pointers and retpoline thunks
 * name no callee and are not edges (docs/call-graph.md).
 */
export function callGraphColumns(elf: ElfFile, symbols: Columns<'symbols'>): Columns<'calls'> {
  const callers: number[] = [];
  const callees: number[] = [];
  // In a .o every section starts at 0 and calls are relocations: no graph to read from the bytes.
  if (elf.header.type === ET.REL) return allocateColumns('calls', 0);
  const starts = functionStarts(symbols);
  // Aliases (several symbols at one address) share one body: it is read once, for the first.
  const bodies = [...starts.values()].filter((row) => symbols.size[row] !== 0n).sort((a, b) => compare(symbols.address[a], symbols.address[b]));
  for (const section of elf.sections) {
    if (section.type !== SHT.PROGBITS || !(section.flags & SHF.EXECINSTR) || !(section.flags & SHF.ALLOC) || section.size === 0n) continue;
    // The section's functions, found by two binary searches of the bodies in address order: a
    // vmlinux has 82,000 symbols and dozens of executable sections. Read in symbol order.
    const rows = bodies.slice(firstAtOrAbove(bodies, symbols, section.addr), firstAtOrAbove(bodies, symbols, section.addr + section.size)).sort((a, b) => a - b);
    if (!rows.length) continue;
    const ranges = rows.map((row): [number, number] => {
      const from = Number(symbols.address[row] - section.addr);
      return [from, Math.min(from + Number(symbols.size[row]), Number(section.size))];
    });
    const seen = new Set<number>();
    let current = -1;
    directTransfers(elf.sectionData(section), section.addr, ranges, (range, transfer) => {
      const caller = rows[range];
      if (caller !== current) {
        current = caller;
        seen.clear();
      }
      const callee = starts.get(transfer.target);
      // A jump to its own start is a loop; a call to it, recursion: neither leads anywhere new.
      if (callee === undefined || callee === caller || seen.has(callee)) return;
      seen.add(callee);
      callers.push(caller);
      callees.push(callee);
    });
  }
  const columns = allocateColumns('calls', callers.length);
  columns.caller.set(callers);
  columns.callee.set(callees);
  return columns;
}

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** The index in `bodies` (rows by address) of the first at or above `address`. */
function firstAtOrAbove(bodies: number[], symbols: Columns<'symbols'>, address: bigint): number {
  let lo = 0;
  let hi = bodies.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (symbols.address[bodies[mid]] < address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first function symbol (lowest row) at each address. */
function functionStarts(symbols: Columns<'symbols'>): Map<bigint, number> {
  const starts = new Map<bigint, number>();
  for (let row = 0; row < symbols.name.length; row++) {
    if (symbols.flags[row] & symbolFlag.function && !starts.has(symbols.address[row])) starts.set(symbols.address[row], row);
  }
  return starts;
}
