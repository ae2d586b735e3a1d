import type { ElfFile } from '../../elf';
import type { LoadedImage } from '../loader';
import type { Memory } from '../memory';

/** A module parameter (struct kernel_param) as the loader found it. */
export interface ModuleParam {
  name: string;
  type: string;
  /** module_param()'s sysfs mode: 0 means no /sys/module/MOD/parameters file. */
  perm: number;
  /** Where the value lives (kernel_param.arg). */
  address: bigint;
  /** kernel_param.ops: 0 when a weak param_ops_* stayed unresolved. */
  opsAddress: bigint;
}

export type ModuleState = 'coming' | 'live' | 'going' | 'gone';

/** enum module_state: what struct module's first member, `state`, holds (module callbacks print it). */
const MODULE_STATE: Record<ModuleState, number> = { live: 0, coming: 1, going: 2, gone: 2 };

/** A loaded module (struct module): its ELF, where its sections went, its symbols and state. */
export class KernelModule {
  private current: ModuleState = 'coming';
  /** References held on it (try_module_get; the livepatch core holds one on an enabled patch's module). */
  refcount = 0;
  /** Modules that link against its symbols (they must go first). */
  readonly usedBy = new Set<KernelModule>();
  readonly uses = new Set<KernelModule>();
  params: ModuleParam[] = [];
  /** The taints it brought (TAINT_* bits), shown in /proc/modules. */
  taints = 0;

  constructor(
    readonly name: string,
    readonly file: string,
    readonly elf: ElfFile,
    readonly image: LoadedImage,
    readonly modinfo: ReadonlyMap<string, string>,
  ) {}

  get state(): ModuleState {
    return this.current;
  }

  /** Sets the state, in the module's own struct module too, where the module's code reads it. */
  setState(state: ModuleState, memory: Memory): void {
    this.current = state;
    const at = this.thisModule;
    if (at !== undefined && state !== 'gone') memory.writeU32(at, MODULE_STATE[state]);
  }

  /** A `livepatch=` field in .modinfo, whatever its value: a livepatch module (check_modinfo_livepatch() asks only whether it is there). */
  get livepatch(): boolean {
    return this.modinfo.has('livepatch');
  }

  /** Where a section of the module's ELF was placed. */
  sectionAddress(name: string): bigint | undefined {
    return this.image.sections.find((s) => s.name === name)?.address;
  }

  /** A symbol the module defines (its own, locals included). */
  symbol(name: string): bigint | undefined {
    return (this.image.symbols.find((s) => s.name === name && s.global) ?? this.image.symbols.find((s) => s.name === name))?.address;
  }

  /** Names it exports (EXPORT_SYMBOL: a `__ksymtab_<name>` entry): the only ones other modules may link to. */
  get exports(): Set<string> {
    return new Set(this.elf.symbols().flatMap((s) => (s.name.startsWith('__ksymtab_') ? [s.name.slice('__ksymtab_'.length)] : [])));
  }

  /** __this_module: the struct module a klp_patch's `mod` points at. */
  get thisModule(): bigint | undefined {
    return this.symbol('__this_module');
  }

  contains(address: bigint): boolean {
    return address >= this.image.start && address < this.image.end;
  }
}
