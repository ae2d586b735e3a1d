import { lastAtOrBelow } from './sortedSearch';
import { Columns, noAddress, noRow, symbolFlag } from './tables';

/**
 * Names the code DWARF describes by the symbol that holds it. DWARF calls a clone by its source
 * name (`finish_task_switch` for `finish_task_switch.isra.0`) and an inlined copy in a cold part
 * by its function (for `foo.cold`), and two static functions of one name are one name to it:
 * only the address tells which symbol of the image, hence which klp `old_name` and `old_sympos`.
 */
export function resolveHolders(symbols: Columns<'symbols'>, functions: Columns<'functions'>, inlines: Columns<'inlines'>): void {
  const holderOf = functionHolder(symbols);
  for (let row = 0; row < functions.address.length; row++) functions.symbol[row] = holderOf(functions.address[row]);
  for (let row = 0; row < inlines.address.length; row++) {
    const own = inlines.address[row];
    // A copy without code of its own is charged to the function it sits in.
    const symbol = own !== noAddress ? holderOf(own) : functions.symbol[inlines.func[row]];
    inlines.symbol[row] = symbol;
    if (symbol !== noRow) inlines.function[row] = symbols.name[symbol];
  }
}

/** A lookup of the function symbol whose [address, address + size) holds an address (noRow: none). */
function functionHolder(symbols: Columns<'symbols'>): (address: bigint) => number {
  const rows = Uint32Array.from(Array.from(symbols.flags.keys()).filter((row) => (symbols.flags[row] & symbolFlag.function) !== 0));
  if (rows.length === 0) return () => noRow;
  // Offsets from the first function as doubles: BigInt comparisons would dominate 300k lookups (a vmlinux).
  const base = symbols.address[rows[0]];
  const start = Float64Array.from(rows, (row) => Number(symbols.address[row] - base));
  const end = Float64Array.from(rows, (row, n) => start[n] + Number(symbols.size[row]));
  return (address: bigint): number => {
    if (address === noAddress || address < base) return noRow;
    const at = Number(address - base);
    const found = lastAtOrBelow(start, at);
    if (found < 0) return noRow;
    // Aliases share an address: the first in kallsyms order that covers it.
    let first = found;
    while (first > 0 && start[first - 1] === start[found]) first--;
    for (let n = first; n <= found; n++) if (at < end[n] || at === start[n]) return rows[n];
    return noRow;
  };
}
