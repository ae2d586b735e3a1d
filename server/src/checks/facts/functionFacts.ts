import type { TargetFlavour } from '../../target';
import type { XenPatchSite } from './xenPatchSite';

/**
 * What the checks need to know about a function of the image being patched, whether it comes
 * from the target's ELF and DWARF (exact) or is inferred from C sources (a guess the message
 * must call one: "may be inlined").
 */
export type FactsBasis = 'target' | 'source';

export interface InlineSite {
  /** The out-of-line function whose code holds the inlined copy. */
  function: string;
  file?: string;
  line?: number;
}

export interface FunctionFacts {
  name: string;
  basis: FactsBasis;
  /** How many functions of this name there are (klp `old_sympos` is needed when > 1). */
  count: number;
  /** `.text`, `.init.text`, `.sched.text`, `.noinstr.text`, ... when known. */
  section?: string;
  /**
   * No `__fentry__` call at its start (ftrace, hence klp, cannot redirect it); from source: `notrace` or `inline`.
   * Always false on a Xen hypervisor, which has no ftrace and patches by size (`xenPatchSite`).
   */
  notrace: boolean;
  /** Target only: what the image is (target/flavour.ts); `either` for the sample target, which plays both. */
  flavour?: TargetFlavour;
  /** Target only, unless it is Linux: where Xen writes its jump and whether old_size covers it. */
  xenPatchSite?: XenPatchSite;
  /** Has code of its own; false when it exists only as inlined copies. */
  outOfLine: boolean;
  /** Every out-of-line function holding an inlined copy of it, at any depth. */
  inlinedInto: InlineSite[];
  address?: bigint;
  size?: bigint;
  endbr?: boolean;
  /** Target only: every function of this name in kallsyms order (index + 1 is klp's `old_sympos`). */
  instances?: Array<{ address: bigint; size: bigint; section: string }>;
}

export interface MemberFacts {
  name: string;
  offset: number;
  size: number;
  type: string;
}

export interface StructFacts {
  name: string;
  basis: FactsBasis;
  size: number;
  members: MemberFacts[];
}

/** The one question-answerer the checks talk to; a target index or a source inference behind it. */
export interface FactsProvider {
  readonly basis: FactsBasis;
  /** Undefined when the function is unknown to this provider. */
  function(name: string): FunctionFacts | undefined;
  struct(name: string): StructFacts | undefined;
  /** Target only: the functions whose names are a likely misspelling away from `name`, nearest first. */
  similarFunctions?(name: string): string[];
}
