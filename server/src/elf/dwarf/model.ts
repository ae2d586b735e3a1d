// What the DWARF reader yields for the target index.

/** A DW_TAG_subprogram: concrete (has code) or abstract (DW_AT_inline, an inline template). */
export interface DwarfSubprogram {
  name: string;
  /** Offset of the DIE in .debug_info. */
  die: number;
  concrete: boolean;
  /** Entry address of a concrete subprogram (section-relative in a .o). */
  lowPc?: bigint;
  /** DW_AT_name of its compile unit (the source file as the compiler was given it). */
  unit: string;
}

/** One DW_TAG_inlined_subroutine inside a concrete (out-of-line) function. */
export interface InlineSite {
  /** The function that was inlined. */
  callee: string;
  /** The out-of-line function whose code holds this copy (outermost, at any depth). */
  function: string;
  /** The immediate caller: the enclosing inlined function, or `function` itself. */
  caller: string;
  callFile: string;
  callLine: number;
  /** Low address of the inlined copy (section-relative in a .o), when it has code. */
  address?: bigint;
  die: number;
}

export interface StructMember {
  name: string;
  /** Byte offset of the member (of the byte holding its first bit, for a bit-field). */
  offset: number;
  /** Size of the member's type in bytes. */
  size: number;
  type: string;
  /** Bit-fields only: width, and position in bits from the start of the struct. */
  bitSize?: number;
  bitOffset?: number;
}

export interface StructLayout {
  name: string;
  kind: 'struct' | 'union';
  size: number;
  members: StructMember[];
}

export interface DwarfFacts {
  subprograms: DwarfSubprogram[];
  inlines: InlineSite[];
  /** First complete definition of each named struct or union, by name (a struct wins over a union). */
  structs: Map<string, StructLayout>;
  units: number;
  dies: number;
}

/** InlineSite as one array per field, index n of each being copy n (DwarfReader.scanColumns). */
export interface InlineColumns {
  callee: string[];
  function: string[];
  caller: string[];
  callFile: string[];
  callLine: number[];
  address: Array<bigint | undefined>;
  die: number[];
  /** Index into `subprograms` of the out-of-line function holding the copy. */
  func: number[];
}

/** DwarfFacts with the inlined copies as columns: no object per copy for callers that store columns. */
export type DwarfColumnFacts = Omit<DwarfFacts, 'inlines'> & { inlines: InlineColumns };

export interface DwarfScanOptions {
  /** Called after each unit with (units done, units total). */
  onProgress?: (done: number, total: number) => void;
  /** Read only part `index` of `count` contiguous, equally sized (in bytes) slices of .debug_info, so workers can split the scan. */
  part?: { index: number; count: number };
}
