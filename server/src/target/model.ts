import { StructLayout } from '../elf';

/** A FUNC or OBJECT symbol of the target, in kallsyms (address) order. */
export interface TargetSymbol {
  name: string;
  address: bigint;
  size: bigint;
  kind: 'function' | 'object';
  binding: 'local' | 'global' | 'weak';
  section: string;
  /** 1-based position among the symbols of this name, in kallsyms order (klp `old_sympos`). */
  sympos: number;
  /** Functions: starts with `call __fentry__` or the 5-byte NOP that replaces it (after ENDBR64). */
  traceable: boolean;
  /** Functions: starts with ENDBR64. */
  endbr: boolean;
}

/** One place a function was inlined. */
export interface CallSite {
  /** The out-of-line function whose code holds the copy. */
  function: string;
  /** The immediate caller (an inlined function, or `function`). */
  caller: string;
  file: string;
  line: number;
  /** Address of the inlined copy, when it has code. */
  address?: bigint;
}

export type BuildPhase = 'symbols' | 'calls' | 'dwarf' | 'structs' | 'cache';

export interface BuildProgress {
  phase: BuildPhase;
  done: number;
  total: number;
  message: string;
}

/** Everything the index knows, as plain objects (TargetIndex.data; the index itself keeps columns, see tables.ts). */
export interface TargetIndexData {
  path: string;
  buildId: string;
  symbols: TargetSymbol[];
  inlineSites: Array<CallSite & { callee: string }>;
  /** Names of DWARF subprograms that have code of their own (clones such as .constprop share the name). */
  concreteFunctions: string[];
  structs: StructLayout[];
}
