// The decoded payload: what a Xen `.livepatch` or a Linux livepatch `.ko` holds, as the
// hypervisor or the module loader would read it. Addresses, offsets, sizes and flags are
// BigInts; counts and small enumerations are numbers.

/** A pointer-sized field of an ET_REL file: its stored bytes and, when relocated, the symbol. */
export interface FieldValue {
  /** The bytes as stored (0 for a field the linker or loader fills in). */
  raw: bigint;
  reloc?: SymbolRef;
}

/** NULL as the loader sees it: no relocation fills the field and its bytes are zero. */
export const isNullField = (field: FieldValue): boolean => !field.reloc && field.raw === 0n;

/** What a relocation points at, named as a user would: a function, a string, or section+offset. */
export interface SymbolRef {
  /** The symbol the relocation names (a section symbol is replaced by the symbol at that offset). */
  symbol: string;
  addend: bigint;
  /** The relocation type's readelf name. */
  type: string;
  /** Where the symbol is defined in the payload; undefined: resolved against the target at load. */
  section?: string;
  /** Offset of the pointed-at byte in `section`, for defined symbols. */
  sectionOffset?: bigint;
  /** `symbol` or `symbol+0x10`. */
  display: string;
}

export interface SectionSummary {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  size: bigint;
  addralign: bigint;
  entsize: bigint;
  /** Number of relocations that apply to it (from the SHT_RELA sections whose sh_info names it). */
  relocations: number;
}

/** The ELF header facts the loaders check. */
export interface ElfIdentity {
  elfClass: number;
  dataEncoding: number;
  type: number;
  machine: number;
  phnum: number;
  version: number;
  osabi: number;
}

/** A `key=value` list from `.modinfo`. */
export interface Modinfo {
  section: string;
  size: bigint;
  entries: Array<{ key: string; value: string }>;
  /** Whether the section ends with a NUL (Xen requires it; the kernel's get_next_modinfo relies on it). */
  terminated: boolean;
}

/** A build-id note read from one of the dependency sections. */
export interface BuildIdNote {
  section: string;
  size: bigint;
  /** Lowercase hex when the section holds a well-formed GNU build-id note. */
  buildId?: string;
  /** Why it is not a usable build-id: empty, truncated, not a GNU build-id note. */
  problem?: string;
}

export interface PayloadSymbols {
  /** Undefined symbols (other than the null symbol): resolved against the target at load. */
  undefinedNames: string[];
  /** The weak ones among them: the module loader leaves a weak symbol nothing defines at 0; Xen does not. */
  weakUndefinedNames: string[];
  /** Defined global and weak FUNC/OBJECT/NOTYPE symbols, with their section. */
  definedGlobals: Array<{ name: string; section: string; type: number; value: bigint; size: bigint }>;
  /** FILE-less common symbols (Xen refuses them). */
  commonNames: string[];
}

interface PayloadBase {
  /** The path (or name) the payload was read from. */
  file: string;
  /** Xen names a payload after its file, without the extension (`xen-livepatch load`). */
  name: string;
  identity: ElfIdentity;
  sections: SectionSummary[];
  symbols: PayloadSymbols;
  /** The payload's own `.note.gnu.build-id`. */
  buildId?: BuildIdNote;
  modinfo?: Modinfo;
}

export type HookKind = 'load' | 'unload' | 'preapply' | 'apply' | 'postapply' | 'prerevert' | 'revert' | 'postrevert';

export interface XenHook {
  kind: HookKind;
  section: string;
  size: bigint;
  /** One per 8-byte pointer in the section. */
  functions: FieldValue[];
}

export interface XenExpectation {
  enabled: boolean;
  len: number;
  rsv: number;
  data: Buffer;
}

/** One `struct livepatch_func`. */
export interface XenFunc {
  index: number;
  /** Offset of the entry in `.livepatch.funcs`. */
  offset: bigint;
  /** The old function's name, read from the string `name` points at. */
  name?: string;
  nameField: FieldValue;
  newAddr: FieldValue;
  oldAddr: FieldValue;
  newSize: number;
  oldSize: number;
  version: number;
  /** Version 2 only. */
  applied?: number;
  expect?: XenExpectation;
  /** Bytes the hypervisor owns (opaque/_pad) that are not zero, by offset in the entry. */
  nonZeroReserved: number[];
}

export interface XenFuncsSection {
  section: string;
  size: bigint;
  flags: bigint;
  /** The layout read: 1 (64-byte entries) or 2 (104-byte entries), chosen by the first entry's version byte. */
  layout: 1 | 2;
  entrySize: number;
}

export interface AltInstruction {
  index: number;
  orig?: SymbolRef;
  repl?: SymbolRef;
  origLen: number;
  replLen: number;
  padLen: number;
  cpuid: number;
}

/** A WARN, BUG or ASSERT site of a payload: a frame of `.bug_frames.1..3` and the ud2 it names. */
export interface BugFrameRef {
  /** BUGFRAME_warn (1), _bug (2) or _assert (3). */
  type: 1 | 2 | 3;
  /** Offset of the frame in its `.bug_frames.N`. */
  offset: bigint;
  /** Where the ud2 is (the line number bits the frame keeps above the displacement taken off). */
  at: SymbolRef;
}

export interface SpecialSection {
  name: string;
  size: bigint;
  relocations: number;
}

/** A relocation of a section the hypervisor loads, other than what its loader applies as a matter of course. */
export interface UnusualRelocation {
  /** The relocated section, and the offset patched in it. */
  section: string;
  offset: bigint;
  type: number;
  /** readelf's name of the type. */
  typeName: string;
  /** Against symbol 0 (STN_UNDEF). */
  undefinedSymbol: boolean;
}

export interface XenPayload extends PayloadBase {
  kind: 'xen';
  funcsSection?: XenFuncsSection;
  funcs: XenFunc[];
  depends?: BuildIdNote;
  xenDepends?: BuildIdNote;
  hooks: XenHook[];
  altInstructions: AltInstruction[];
  bugFrames: BugFrameRef[];
  /** `.altinstructions`, `.altinstr_replacement`, `.ex_table`, `.bug_frames.N`, `.fixup`, `.alt_call_sites`. */
  special: SpecialSection[];
  /** Relocations of loaded sections Xen 4.17's loader refuses or the emulator alone applies (see decodeRelocations.ts). */
  unusualRelocations: UnusualRelocation[];
}

export interface KlpFunc {
  index: number;
  /** Offset of the entry in its section. */
  offset: bigint;
  oldName?: string;
  oldNameField: FieldValue;
  newFunc: FieldValue;
  oldSympos: bigint;
}

export interface KlpCallbacks {
  prePatch?: SymbolRef;
  postPatch?: SymbolRef;
  preUnpatch?: SymbolRef;
  postUnpatch?: SymbolRef;
}

export interface KlpObject {
  index: number;
  /** null: vmlinux. */
  name: string | null;
  funcs: KlpFunc[];
  /** Where the klp_func array lives ("section+0x10"). */
  funcsAt?: string;
  /** Whether the klp_func array ends with its all-zero `{ }` entry inside its section. */
  funcsTerminated: boolean;
  callbacks: KlpCallbacks;
}

export interface KlpPatch {
  /** The klp_patch symbol (the argument of klp_enable_patch). */
  symbol: string;
  replace: boolean;
  objects: KlpObject[];
  objectsTerminated: boolean;
  hasStates: boolean;
}

/** Where the klp struct offsets came from. */
export interface KlpLayoutSource {
  source: 'dwarf' | 'kernel';
  funcSize: number;
  objectSize: number;
}

export interface KlpRelaSection {
  name: string;
  /** Parsed from `.klp.rela.<object>.<section>`; undefined when the name does not parse. */
  objectName?: string;
  targetSection?: string;
  /** Carries SHF_RELA_LIVEPATCH (0x00100000). */
  livepatchFlag: boolean;
  relocations: number;
}

export interface KlpSymbol {
  name: string;
  /** Parsed from `.klp.sym.<object>.<symbol>,<sympos>`; undefined when the name does not parse. */
  objectName?: string;
  symbol?: string;
  sympos?: number;
  /** st_shndx is SHN_LIVEPATCH (0xff20). */
  livepatchIndex: boolean;
}

export interface KlpModule extends PayloadBase {
  kind: 'klp';
  /** `livepatch=Y` in .modinfo. */
  livepatch: boolean;
  /**
   * No sign of livepatching at all (no livepatch=Y, no klp_enable_patch() call, no .klp.rela or
   * .klp.sym): a plain module, such as one a livepatch module patches as a klp_object.
   */
  plain: boolean;
  moduleName?: string;
  vermagic?: string;
  /** MODULE_LICENSE: whether the module may use EXPORT_SYMBOL_GPL symbols. */
  license?: string;
  layout: KlpLayoutSource;
  patch?: KlpPatch;
  /** Why the klp_patch graph could not be rebuilt. */
  patchProblem?: string;
  klpRelaSections: KlpRelaSection[];
  klpSymbols: KlpSymbol[];
}

export type Payload = XenPayload | KlpModule;
