import { StructLayout, StructMember } from '../elf';
import { CallGraph } from './callGraph';
import { detectFlavour, FlavourFacts } from './flavour';
import { GroupedRows } from './groupedRows';
import { materialize } from './materialize';
import { CallSite, TargetIndexData, TargetSymbol } from './model';
import { lastAtOrBelow } from './sortedSearch';
import { sameSourceFile } from './sourceFiles';
import { exportFlag, noAddress, noRow, structKind, symbolFlag, TargetTables } from './tables';

/** An out-of-line function that holds inlined copies of some callee, with where they were inlined. */
export interface InlinedInto {
  /** As the image names it (`finish_task_switch.isra.0`); the DWARF name when no symbol holds the code. */
  function: string;
  /** The symbol holding the copies, when one does (its sympos is klp's `old_sympos`). */
  symbol?: TargetSymbol;
  /** The compile unit of that function (DW_AT_name). */
  unit: string;
  sites: CallSite[];
}

/** A function as the source defines it, and the symbol the image has for it (a clone's own name). */
export interface FunctionDefinition {
  /** DW_AT_name of its compile unit; '' for a symbol without DWARF (assembly). */
  unit: string;
  symbol?: TargetSymbol;
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
  private functionsByName?: GroupedRows;
  private unitBySymbol?: Uint32Array;
  private readonly symbolObjects: TargetSymbol[] = [];
  private readonly rowOfSymbol = new WeakMap<TargetSymbol, number>();
  private readonly structObjects = new Map<number, StructLayout>();
  private materialized?: TargetIndexData;
  private flavourFacts?: FlavourFacts;
  private graph?: CallGraph;

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
      this.rowOfSymbol.set(symbol, row);
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
    const found = lastAtOrBelow(starts, address);
    if (found < 0 || (address !== starts[found] && address >= starts[found] + size[found])) return undefined;
    return this.symbolRow(found);
  }

  /**
   * Out-of-line functions holding inlined copies of `name` (at any depth), with their call
   * sites, one entry per holding symbol. `unit` keeps only copies in that compile unit: a static
   * function is inlined only where it is defined, so this tells apart static functions of one name.
   */
  inlinedInto(name: string, unit?: string): InlinedInto[] {
    const { strings, inlines: i, functions } = this.tables;
    this.sitesByCallee ??= new GroupedRows(i.callee, strings.length);
    const unitId = unit === undefined ? undefined : this.idOf(unit);
    if (unit !== undefined && unitId === undefined) return [];
    const byHolder = new Map<string, InlinedInto>();
    for (const row of this.sitesByCallee.of(this.idOf(name))) {
      const fnUnit = functions.unit[i.func[row]];
      if (unitId !== undefined && fnUnit !== unitId) continue;
      const site: CallSite = { function: strings[i.function[row]], caller: strings[i.caller[row]], file: strings[i.file[row]], line: i.line[row] };
      if (i.address[row] !== noAddress) site.address = i.address[row];
      const symbol = i.symbol[row];
      // Without a symbol (a .o), the DWARF name and its unit are all that tell holders apart.
      const key = symbol !== noRow ? `s${symbol}` : `f${i.function[row]}:${fnUnit}`;
      const holder = byHolder.get(key);
      if (holder) holder.sites.push(site);
      else byHolder.set(key, { function: site.function, unit: strings[fnUnit], ...(symbol !== noRow ? { symbol: this.symbolRow(symbol) } : {}), sites: [site] });
    }
    return [...byHolder.values()];
  }

  /**
   * The functions the source calls `name`, with the symbol each became: `finish_task_switch`
   * is `finish_task_switch.isra.0` in the image, and two static functions of one name in two
   * files are two definitions, each with its sympos. Symbols without DWARF come last, unit ''.
   * `file` keeps those whose compile unit is that source file, when any is.
   */
  definitions(name: string, file?: string): FunctionDefinition[] {
    const { strings, functions } = this.tables;
    this.functionsByName ??= new GroupedRows(functions.name, strings.length);
    const seen = new Set<number>();
    const found: FunctionDefinition[] = [];
    for (const row of this.functionsByName.of(this.idOf(name))) {
      const symbol = functions.symbol[row];
      const key = symbol !== noRow ? symbol : -1 - functions.unit[row];
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ unit: strings[functions.unit[row]], ...(symbol !== noRow ? { symbol: this.symbolRow(symbol) } : {}) });
    }
    for (const symbol of this.symbolsNamed(name)) {
      if (symbol.kind === 'function' && !found.some((d) => d.symbol === symbol)) found.push({ unit: this.unitOf(symbol) ?? '', symbol });
    }
    if (file === undefined) return found;
    const inFile = found.filter((d) => sameSourceFile(d.unit, file));
    return inFile.length ? inFile : found;
  }

  /** The compile unit whose DWARF describes the function at this symbol, when one does. */
  unitOf(symbol: TargetSymbol): string | undefined {
    const { strings, functions, symbols } = this.tables;
    if (!this.unitBySymbol) {
      this.unitBySymbol = new Uint32Array(symbols.name.length).fill(noRow);
      for (let row = 0; row < functions.symbol.length; row++) {
        const at = functions.symbol[row];
        if (at !== noRow && this.unitBySymbol[at] === noRow) this.unitBySymbol[at] = functions.unit[row];
      }
    }
    const row = this.rowOfSymbol.get(symbol);
    const unit = row !== undefined ? this.unitBySymbol[row] : noRow;
    return unit === noRow ? undefined : strings[unit];
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
      const { strings, functions, symbols } = this.tables;
      this.outOfLineIds = new Uint8Array(strings.length);
      for (const id of functions.name) this.outOfLineIds[id] = 1;
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

  /**
   * The shortest chain of direct calls (or tail jumps) from one of the functions named `entries`
   * to `symbol`, entry first and `symbol` last; undefined when none of them reaches it, or the
   * image names none of them. Chains do not go on past the functions named `stops`. Calls
   * through function pointers are not in the graph.
   */
  callPath(entries: readonly string[], symbol: TargetSymbol, stops: readonly string[] = []): TargetSymbol[] | undefined {
    const row = this.rowOfSymbol.get(symbol);
    if (row === undefined) return undefined;
    const rows = (names: readonly string[]) =>
      names.flatMap((name) =>
        this.symbolsNamed(name)
          .filter((s) => s.kind === 'function')
          .map((s) => this.rowOfSymbol.get(s)!),
      );
    const roots = rows(entries);
    if (!roots.length) return undefined;
    this.graph ??= new CallGraph(this.tables);
    return this.graph.pathTo(roots, row, rows(stops))?.map((r) => this.symbolRow(r));
  }

  /** The functions `symbol` calls directly or tail-jumps to. */
  callees(symbol: TargetSymbol): TargetSymbol[] {
    const row = this.rowOfSymbol.get(symbol);
    if (row === undefined) return [];
    this.graph ??= new CallGraph(this.tables);
    return this.graph.callees(row).map((r) => this.symbolRow(r));
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
