import { SHN, STT } from './constants';
import { ElfSymbol } from './types';

export interface SymbolHit {
  symbol: ElfSymbol;
  offset: bigint;
}

/**
 * Address -> symbol lookup for linked images (`<sym+off>` in disassembly, "which function is
 * this address in"). Only FUNC, OBJECT and NOTYPE symbols with a section take part; of several
 * symbols at one address, a sized global one wins, as objdump prefers.
 */
export class AddressMap {
  private readonly sorted: ElfSymbol[];

  constructor(symbols: readonly ElfSymbol[]) {
    const rank = (s: ElfSymbol): number => (s.size > 0n ? 2 : 0) + (s.bind !== 0 ? 1 : 0);
    this.sorted = symbols
      .filter((s) => s.shndx !== SHN.UNDEF && s.shndx < SHN.LORESERVE && s.name !== '' && (s.type === STT.FUNC || s.type === STT.OBJECT || s.type === STT.NOTYPE))
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : rank(b) - rank(a) || a.index - b.index));
  }

  /** The closest symbol at or below `address`; beyond a sized symbol's end only if nothing else follows. */
  lookup(address: bigint): SymbolHit | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].value <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const value = this.sorted[found].value;
    while (found > 0 && this.sorted[found - 1].value === value) found--;
    const symbol = this.sorted[found];
    return { symbol, offset: address - symbol.value };
  }
}
