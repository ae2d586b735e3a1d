import { StructLayout, StructMember } from '../elf';
import { detectFlavour, FlavourFacts } from './flavour';
import { GroupedRows } from './groupedRows';
import { materialize } from './materialize';
import { CallSite, TargetIndexData, TargetSymbol } from './model';
import { exportFlag, noAddress, structKind, symbolFlag, TargetTables } from './tables';

/** An out-of-line function that holds inlined copies of some callee, with where they were inlined. */
export interface InlinedInto {
  function: string;
  sites: CallSite[];
}

/**
 * What we know about the image being patched, queried by the checks, hover and the emulator.
 * Queries read the columns directly; lookup tables are built on first use, so loading from the
 * cache stays cheap.
 */
export class TargetIndex {
  private ids?: Map<string, number>;
  private symbolsByName?: GroupedRows;
  private sitesByCallee?: GroupedRows;
  private sitesByFunction?: GroupedRows;
  private structRows?: Map<number, number>;
  private exportRows?: Map<number, number>;
  private outOfLineIds?: Uint8Array;
  private readonly symbolObjects: TargetSymbol[] = [];
  private readonly structObjects = new Map<number, StructLayout>();
  private materialized?: TargetIndexData;
  private flavourFacts?: FlavourFacts;

  constructor(readonly tables: TargetTables) {}

  get buildId(): string {
    return this.tables.buildId;
  }

  get path(): string {
    return this.tables.path;
  }

  /** Linux, Xen, or either (the sample target), and whether Xen is built with CONFIG_XEN_IBT. */
  get flavour(): FlavourFacts {
    return (this.flavourFacts ??= detectFlavour(
      (name) => this.symbolsNamed(name),
      () => this.tables.symbols.flags.some((f) => (f & symbolFlag.function) !== 0 && (f & symbolFlag.endbr) !== 0),
    ));
  }

  /** Everything as plain objects, each field built when first read (the columns are the index). */
  get data(): TargetIndexData {
    return (this.materialized ??= materialize(this));
  }

  /** The string id of `text`, undefined when the image never names it. */
  private idOf(text: string): number | undefined {
    this.ids ??= new Map(this.tables.strings.map((s, id) => [s, id]));
    return this.ids.get(text);
  }

  /** Symbol row `row` as an object; the same object every time. */
  symbolRow(row: number): TargetSymbol {
    let symbol = this.symbolObjects[row];
    if (!symbol) {
      const { strings, symbols: s } = this.tables;
      const flags = s.flags[row];
      symbol = {
        name: strings[s.name[row]],
        address: s.address[row],
        size: s.size[row],
        kind: flags & symbolFlag.function ? 'function' : 'object',
        binding: flags & symbolFlag.local ? 'local' : flags & symbolFlag.weak ? 'weak' : 'global',
        section: strings[s.section[row]],
        sympos: s.sympos[row],
        traceable: (flags & symbolFlag.traceable) !== 0,
        endbr: (flags & symbolFlag.endbr) !== 0,
      };
      this.symbolObjects[row] = symbol;
    }
    return symbol;
  }

  /** Every symbol of that name, in sympos order (index 0 is sympos 1). */
  symbolsNamed(name: string): TargetSymbol[] {
    this.symbolsByName ??= new GroupedRows(this.tables.symbols.name, this.tables.strings.length);
    return Array.from(this.symbolsByName.of(this.idOf(name)), (row) => this.symbolRow(row));
  }

  /** The symbol of that name; `sympos` 0 means "the only one" and gives undefined when ambiguous. */
  symbol(name: string, sympos = 0): TargetSymbol | undefined {
    const all = this.symbolsNamed(name);
    if (sympos === 0) return all.length === 1 ? all[0] : undefined;
    return all[sympos - 1];
  }

  /** The function or object whose [address, address+size) holds `address` (or that starts there). */
  symbolAt(address: bigint): TargetSymbol | undefined {
    // Rows are in address order (kallsyms order): the last one at or below `address`.
    const { address: starts, size } = this.tables.symbols;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || (address !== starts[found] && address >= starts[found] + size[found])) return undefined;
    return this.symbolRow(found);
  }

  /** Out-of-line functions holding inlined copies of `name` (at any depth), with their call sites. */
  inlinedInto(name: string): InlinedInto[] {
    const { strings, inlines: i } = this.tables;
    this.sitesByCallee ??= new GroupedRows(i.callee, strings.length);
    const byFunction = new Map<number, CallSite[]>();
    for (const row of this.sitesByCallee.of(this.idOf(name))) {
      const site: CallSite = { function: strings[i.function[row]], caller: strings[i.caller[row]], file: strings[i.file[row]], line: i.line[row] };
      if (i.address[row] !== noAddress) site.address = i.address[row];
      const sites = byFunction.get(i.function[row]);
      if (sites) sites.push(site);
      else byFunction.set(i.function[row], [site]);
    }
    return [...byFunction].map(([fn, sites]) => ({ function: strings[fn], sites }));
  }

  /** Every distinct function inlined into the out-of-line function `name`, at any depth. */
  inlines(name: string): string[] {
    const { strings, inlines: i } = this.tables;
    this.sitesByFunction ??= new GroupedRows(i.function, strings.length);
    const callees = new Set<number>();
    for (const row of this.sitesByFunction.of(this.idOf(name))) callees.add(i.callee[row]);
    return Array.from(callees, (id) => strings[id]);
  }

  /** Whether `name` has code of its own: a function symbol, or a concrete DWARF subprogram. */
  isOutOfLine(name: string): boolean {
    const id = this.idOf(name);
    return id !== undefined && this.outOfLine()[id] === 1;
  }

  /** 1 for the string ids of names with code of their own. */
  private outOfLine(): Uint8Array {
    if (!this.outOfLineIds) {
      const { strings, concrete, symbols } = this.tables;
      this.outOfLineIds = new Uint8Array(strings.length);
      for (const id of concrete.name) this.outOfLineIds[id] = 1;
      for (let row = 0; row < symbols.name.length; row++) if (symbols.flags[row] & symbolFlag.function) this.outOfLineIds[symbols.name[row]] = 1;
    }
    return this.outOfLineIds;
  }

  /** Functions that exist only as inlined copies. */
  inlineOnly(): string[] {
    const outOfLine = this.outOfLine();
    const callees = new Set<number>();
    for (const id of this.tables.inlines.callee) if (outOfLine[id] !== 1) callees.add(id);
    return Array.from(callees, (id) => this.tables.strings[id]).sort();
  }

  /** Whether the index knows the name as a function at all (symbol or inlined copy). */
  knowsFunction(name: string): boolean {
    return this.symbolsNamed(name).some((s) => s.kind === 'function') || this.isOutOfLine(name) || this.inlinedInto(name).length > 0;
  }

  /** Whether the image exports symbols to modules at all (a vmlinux does; Xen and the sample target do not). */
  get hasExports(): boolean {
    return this.tables.exports.name.length > 0;
  }

  /** Whether its exports carry modversions CRCs (`__crc_*` symbols): CONFIG_MODVERSIONS, under which a changed CRC stops a module loading. */
  get modversions(): boolean {
    return this.tables.exports.flags.some((flags) => (flags & exportFlag.crc) !== 0);
  }

  /** How the image exports `name` to modules (EXPORT_SYMBOL or EXPORT_SYMBOL_GPL), undefined when it does not. */
  exported(name: string): { gpl: boolean } | undefined {
    const id = this.idOf(name);
    if (id === undefined) return undefined;
    this.exportRows ??= new Map(Array.from(this.tables.exports.name, (nameId, row) => [nameId, row]));
    const row = this.exportRows.get(id);
    return row === undefined ? undefined : { gpl: (this.tables.exports.flags[row] & exportFlag.gpl) !== 0 };
  }

  struct(name: string): StructLayout | undefined {
    const id = this.idOf(name);
    if (id === undefined) return undefined;
    this.structRows ??= new Map(Array.from(this.tables.structs.name, (nameId, row) => [nameId, row]));
    const row = this.structRows.get(id);
    return row === undefined ? undefined : this.structRow(row);
  }

  /** Struct row `row` as a layout; the same object every time. */
  structRow(row: number): StructLayout {
    let layout = this.structObjects.get(row);
    if (!layout) {
      const { strings, structs: s, members: m } = this.tables;
      const members: StructMember[] = [];
      for (let at = s.firstMember[row]; at < s.firstMember[row] + s.memberCount[row]; at++) {
        members.push({
          name: strings[m.name[at]],
          type: strings[m.type[at]],
          size: m.size[at],
          offset: m.offset[at],
          ...(m.bitSize[at] >= 0 ? { bitSize: m.bitSize[at], bitOffset: m.bitOffset[at] } : {}),
        });
      }
      layout = { name: strings[s.name[row]], kind: structKind[s.kind[row]], size: s.size[row], members };
      this.structObjects.set(row, layout);
    }
    return layout;
  }
}
