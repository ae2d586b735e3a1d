import { StructLayout } from '../elf';
import { CallSite, TargetIndexData, TargetSymbol } from './model';

/** An out-of-line function that holds inlined copies of some callee, with where they were inlined. */
export interface InlinedInto {
  function: string;
  sites: CallSite[];
}

/**
 * What we know about the image being patched, queried by the checks, hover and the emulator.
 * Lookup tables are built on first use, so loading from the cache stays cheap.
 */
export class TargetIndex {
  private byName?: Map<string, TargetSymbol[]>;
  private byAddress?: TargetSymbol[];
  private callers?: Map<string, Map<string, CallSite[]>>;
  private callees?: Map<string, Set<string>>;
  private structsByName?: Map<string, StructLayout>;
  private outOfLineNames?: Set<string>;

  constructor(readonly data: TargetIndexData) {}

  get buildId(): string {
    return this.data.buildId;
  }

  get path(): string {
    return this.data.path;
  }

  /** Every symbol of that name, in sympos order (index 0 is sympos 1). */
  symbolsNamed(name: string): TargetSymbol[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const s of this.data.symbols) {
        const list = this.byName.get(s.name);
        if (list) list.push(s);
        else this.byName.set(s.name, [s]);
      }
    }
    return this.byName.get(name) ?? [];
  }

  /** The symbol of that name; `sympos` 0 means "the only one" and gives undefined when ambiguous. */
  symbol(name: string, sympos = 0): TargetSymbol | undefined {
    const all = this.symbolsNamed(name);
    if (sympos === 0) return all.length === 1 ? all[0] : undefined;
    return all[sympos - 1];
  }

  /** The function or object whose [address, address+size) holds `address` (or that starts there). */
  symbolAt(address: bigint): TargetSymbol | undefined {
    const sorted = (this.byAddress ??= [...this.data.symbols].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)));
    let lo = 0;
    let hi = sorted.length - 1;
    let found: TargetSymbol | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].address <= address) {
        found = sorted[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (!found || (address !== found.address && address >= found.address + found.size)) return undefined;
    return found;
  }

  /** Out-of-line functions holding inlined copies of `name` (at any depth), with their call sites. */
  inlinedInto(name: string): InlinedInto[] {
    if (!this.callers) {
      this.callers = new Map();
      for (const site of this.data.inlineSites) {
        let byFunction = this.callers.get(site.callee);
        if (!byFunction) this.callers.set(site.callee, (byFunction = new Map()));
        const sites = byFunction.get(site.function);
        const entry: CallSite = { function: site.function, caller: site.caller, file: site.file, line: site.line, ...(site.address !== undefined ? { address: site.address } : {}) };
        if (sites) sites.push(entry);
        else byFunction.set(site.function, [entry]);
      }
    }
    return [...(this.callers.get(name) ?? new Map<string, CallSite[]>())].map(([fn, sites]) => ({ function: fn, sites }));
  }

  /** Every distinct function inlined into the out-of-line function `name`, at any depth. */
  inlines(name: string): string[] {
    if (!this.callees) {
      this.callees = new Map();
      for (const site of this.data.inlineSites) {
        let set = this.callees.get(site.function);
        if (!set) this.callees.set(site.function, (set = new Set()));
        set.add(site.callee);
      }
    }
    return [...(this.callees.get(name) ?? [])];
  }

  /** Whether `name` has code of its own: a function symbol, or a concrete DWARF subprogram. */
  isOutOfLine(name: string): boolean {
    if (!this.outOfLineNames) {
      this.outOfLineNames = new Set(this.data.concreteFunctions);
      for (const s of this.data.symbols) if (s.kind === 'function') this.outOfLineNames.add(s.name);
    }
    return this.outOfLineNames.has(name);
  }

  /** Functions that exist only as inlined copies. */
  inlineOnly(): string[] {
    return [...new Set(this.data.inlineSites.map((s) => s.callee))].filter((name) => !this.isOutOfLine(name)).sort();
  }

  /** Whether the index knows the name as a function at all (symbol or inlined copy). */
  knowsFunction(name: string): boolean {
    return this.symbolsNamed(name).some((s) => s.kind === 'function') || this.isOutOfLine(name) || this.inlinedInto(name).length > 0;
  }

  struct(name: string): StructLayout | undefined {
    this.structsByName ??= new Map(this.data.structs.map((s) => [s.name, s]));
    return this.structsByName.get(name);
  }
}
