/**
 * The index as columns: one typed array per field and one string table. Thousands of small
 * objects cost more to clone between threads, to write and to parse than the facts are worth;
 * typed arrays are transferred between threads without a copy and stored on disk as they are.
 * Every name, section and file is an id into `strings`.
 */
// prettier-ignore
export const tableSchema = {
  /** In kallsyms (address) order; flags: see symbolFlag. */
  symbols: { name: Uint32Array, address: BigUint64Array, size: BigUint64Array, section: Uint32Array, sympos: Uint32Array, flags: Uint8Array },
  /**
   * One row per inlined copy; address is noAddress when the copy has no code. `func` is the row
   * of `functions` whose code holds it; `symbol` the row of `symbols` whose code holds it (noRow
   * in a DWARF slice, and when no symbol covers it); `function` that symbol's name, as the image
   * names it (`finish_task_switch.isra.0`), or the DWARF name when no symbol covers it.
   */
  inlines: { callee: Uint32Array, function: Uint32Array, caller: Uint32Array, file: Uint32Array, line: Float64Array, address: BigUint64Array, func: Uint32Array, symbol: Uint32Array },
  /**
   * Concrete DWARF subprograms (with code), in .debug_info order: name as the source spells it,
   * unit the DW_AT_name of its compile unit, entry address (noAddress: none), and the row of
   * `symbols` at that address (noRow when none: in a slice, or a .o).
   */
  functions: { name: Uint32Array, unit: Uint32Array, address: BigUint64Array, symbol: Uint32Array },
  /** kind: 0 struct, 1 union; members [firstMember, firstMember + memberCount) of `members`. */
  structs: { name: Uint32Array, kind: Uint8Array, size: Float64Array, firstMember: Uint32Array, memberCount: Uint32Array },
  /** bitSize and bitOffset are -1 for members that are not bit-fields. */
  members: { name: Uint32Array, offset: Float64Array, size: Float64Array, type: Uint32Array, bitSize: Float64Array, bitOffset: Float64Array },
  /** Symbols vmlinux exports to modules (EXPORT_SYMBOL*), each once; flags: see exportFlag. */
  exports: { name: Uint32Array, flags: Uint8Array },
  /** Direct calls and tail jumps between function symbols (rows of `symbols`), grouped by caller: callGraphColumns.ts. */
  calls: { caller: Uint32Array, callee: Uint32Array },
} as const;

type Schema = typeof tableSchema;
export type TableName = keyof Schema;
export type Columns<T extends TableName> = { [C in keyof Schema[T]]: Schema[T][C] extends new (n: number) => infer A ? A : never };
export type Tables<T extends TableName> = { [K in T]: Columns<K> };

/** What one DWARF scan (a whole image or one worker's slice) contributes, with its own string ids. */
export type DwarfTables = { strings: string[] } & Tables<'inlines' | 'functions' | 'structs' | 'members'>;

/** Everything the index knows about one image. */
export type TargetTables = { path: string; buildId: string; strings: string[] } & Tables<TableName>;

export const noAddress = 0xffffffffffffffffn;
export const noRow = 0xffffffff;
export const symbolFlag = { function: 1, traceable: 2, endbr: 4, local: 8, weak: 16 } as const;
/** crc: the export has a `__crc_` symbol (the image is built with CONFIG_MODVERSIONS). */
export const exportFlag = { gpl: 1, crc: 2 } as const;
export const structKind = ['struct', 'union'] as const;

/** What is needed of a column's typed-array constructor: to allocate it, or to view it in a cache file. */
interface ColumnKind {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): ArrayBufferView;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView;
}

/** The columns of table `name`, in schema order, each with the constructor of its typed array. */
export function columnKinds(name: TableName): Array<[string, ColumnKind]> {
  return Object.entries<ColumnKind>(tableSchema[name]);
}

/** Fresh, zeroed columns for `rows` rows of table `name`. */
export function allocateColumns<T extends TableName>(name: T, rows: number): Columns<T> {
  const columns: Record<string, unknown> = {};
  for (const [column, Kind] of columnKinds(name)) columns[column] = new Kind(rows);
  return columns as Columns<T>;
}

/** Rows of a table (every column of a table has the same length). */
export function rowCount(columns: object): number {
  return (Object.values(columns)[0] as ArrayLike<unknown>).length;
}

/** The buffers to hand over in postMessage, so columns move between threads without a copy. */
export function transferList(tables: Partial<Tables<TableName>>): ArrayBuffer[] {
  return (Object.keys(tableSchema) as TableName[]).flatMap((name) => Object.values(tables[name] ?? {}).map((column: ArrayBufferView) => column.buffer as ArrayBuffer));
}
