import { hex } from './addr';

export type SymbolKind = 'function' | 'object' | 'other';

export interface GuestSymbol {
  name: string;
  address: bigint;
  size: bigint;
  kind: SymbolKind;
  global: boolean;
  /** The image (target, object file or "natives") that defines it. */
  image: string;
}

/** Every symbol the machine knows, by name and by address. */
export class SymbolTable {
  private readonly byName = new Map<string, GuestSymbol[]>();
  private sorted: GuestSymbol[] | undefined;

  add(symbol: GuestSymbol): void {
    const list = this.byName.get(symbol.name);
    if (list) list.push(symbol);
    else this.byName.set(symbol.name, [symbol]);
    // Kept sorted rather than sorted again: a module's few symbols against vmlinux's 200,000.
    if (this.sorted && inAddressOrder(symbol)) this.sorted.splice(this.upperBound(symbol.address), 0, symbol);
  }

  /** The index of the first sorted symbol above `address`. */
  private upperBound(address: bigint): number {
    const sorted = this.sorted!;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[mid].address <= address) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The symbols an image (the target, a module, the kernel model's data) defined. */
  definedBy(image: string): GuestSymbol[] {
    return [...this.byName.values()].flat().filter((s) => s.image === image);
  }

  /** Forgets every symbol an image defined (the image was unloaded). */
  remove(image: string): void {
    for (const [name, list] of this.byName) {
      const kept = list.filter((s) => s.image !== image);
      if (kept.length) this.byName.set(name, kept);
      else this.byName.delete(name);
    }
    this.sorted = this.sorted?.filter((s) => s.image !== image);
  }

  /** The global definition of a name if there is one, else the first local one. */
  get(name: string): GuestSymbol | undefined {
    const list = this.byName.get(name);
    return list?.find((s) => s.global) ?? list?.[0];
  }

  /** A global definition of a name, as the linker would bind an undefined reference. */
  global(name: string): GuestSymbol | undefined {
    return this.byName.get(name)?.find((s) => s.global);
  }

  /** Every definition of a name, in load order. */
  named(name: string): readonly GuestSymbol[] {
    return this.byName.get(name) ?? [];
  }

  /** The first symbol of `image` (not a marker of kind `other`) above `address`: where kallsyms ends the symbol at `address`. */
  nextAbove(address: bigint, image: string): GuestSymbol | undefined {
    this.at(address);
    const sorted = this.sorted!;
    for (let i = this.upperBound(address); i < sorted.length; i++) if (sorted[i].image === image && sorted[i].kind !== 'other') return sorted[i];
    return undefined;
  }

  /** The symbol containing an address (or the nearest below it when sizes are zero). */
  at(address: bigint): { symbol: GuestSymbol; offset: bigint } | undefined {
    const sorted = (this.sorted ??= [...this.byName.values()]
      .flat()
      .filter(inAddressOrder)
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)));
    const found = this.upperBound(address) - 1;
    if (found < 0) return undefined;
    // Prefer a sized symbol that covers the address over a zero-sized marker at the same place.
    for (let i = found; i >= 0 && i > found - 8; i--) {
      const s = sorted[i];
      if (address < s.address + s.size) return { symbol: s, offset: address - s.address };
    }
    const s = sorted[found];
    return s.size === 0n && address - s.address < 0x10000n ? { symbol: s, offset: address - s.address } : undefined;
  }

  /** `name+0x12` for people, or the bare address. */
  describe(address: bigint): string {
    const hit = this.at(address);
    if (!hit) return hex(address);
    return hit.offset ? `${hit.symbol.name}+0x${hit.offset.toString(16)}` : hit.symbol.name;
  }
}

/** Whether `at()` finds a symbol: markers of kind `other` only when they have a size. */
const inAddressOrder = (s: GuestSymbol): boolean => s.kind !== 'other' || s.size > 0n;
