import type { TargetFlavour } from '../../target';
import type { ExecutionHazard, Patcher } from './executionContexts';
import type { XenPatchSite } from './xenPatchSite';

/**
 * What the checks need to know about a function of the image being patched, whether it comes
 * from the target's ELF and DWARF (exact) or is inferred from C sources (a guess the message
 * must call one: "may be inlined").
 */
export type FactsBasis = 'target' | 'source';

export interface InlineSite {
  /** The out-of-line function whose code holds the inlined copy, as the image's symbol names it (`foo.isra.0`). */
  function: string;
  /** Target only: klp's `old_sympos` of that symbol, when several symbols share its name. */
  sympos?: number;
  file?: string;
  line?: number;
}

/** Which of several functions of one name is meant: the patched file's, or klp's `old_sympos`. */
export interface FunctionScope {
  /** The source file the function is defined in, as a patch names it (`kernel/sched/core.c`). */
  file?: string;
  /** klp `old_sympos` (0 or absent: not given). */
  sympos?: number;
}

/** A symbol the image has for a source function: its own name, or a clone's (`foo.isra.0`). */
export interface FunctionSymbol {
  name: string;
  /** Position among the symbols of that name, kallsyms order: klp's `old_sympos`. */
  sympos: number;
  /** How many symbols have that name (old_sympos is needed when more than 1). */
  count: number;
  /** The compile unit (DW_AT_name) that defines it, '' when unknown. */
  unit: string;
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
  instances?: Array<{ address: bigint; size: bigint; section: string; unit?: string }>;
  /**
   * Target only: the symbols this function became, narrowed by the FunctionScope when it picks
   * some: its own name, or gcc's clones of it (`finish_task_switch.isra.0`).
   */
  symbols?: FunctionSymbol[];
  /** Target only: the compile unit the scope picked among several that define the name (inlinedInto is that unit's). */
  unit?: string;
  /** Target only: how many compile units define a function of this name. */
  units?: number;
  /**
   * Target only: the NMI, #MC and patching-code entries whose direct calls reach it, for each
   * way the image is patched (both for the sample target, which plays Xen and Linux).
   */
  executionHazards?: Partial<Record<Patcher, ExecutionHazard[]>>;
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

/** What the kernel exports to modules and whether the exports carry modversions CRCs. */
export interface ExportVersions {
  /** Where it was read: the target's `__crc_*` symbols, or a Module.symvers. */
  source: string;
  /** CONFIG_MODVERSIONS: a module whose recorded CRC differs from the kernel's does not load. */
  modversions: boolean;
  exported(name: string): boolean;
}

/** The one question-answerer the checks talk to; a target index or a source inference behind it. */
export interface FactsProvider {
  readonly basis: FactsBasis;
  /** Target only, when the image exports symbols (a vmlinux): see ExportVersions. */
  exportVersions?(): ExportVersions | undefined;
  /** Undefined when the function is unknown to this provider; `scope` picks among functions of one name. */
  function(name: string, scope?: FunctionScope): FunctionFacts | undefined;
  struct(name: string): StructFacts | undefined;
  /** Target only: the functions whose names are a likely misspelling away from `name`, nearest first. */
  similarFunctions?(name: string): string[];
}
