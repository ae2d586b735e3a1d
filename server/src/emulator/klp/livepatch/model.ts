import { KlpKernelModule } from './kernelPort';

// The core's own view of what include/linux/livepatch.h keeps in the kernel-private fields of
// struct klp_patch/klp_object/klp_func: the guest structures are read once at klp_enable_patch()
// and these records carry the state from then on (the flags are mirrored back to the guest).

/** task->patch_state values (KLP_UNDEFINED/KLP_UNPATCHED/KLP_PATCHED in 6.1). */
export const KLP_UNDEFINED = -1;
export const KLP_UNPATCHED = 0;
export const KLP_PATCHED = 1;

/** KSYM_NAME_LEN and MODULE_NAME_LEN of 6.1 (x86-64). */
export const KSYM_NAME_LEN = 512;
export const MODULE_NAME_LEN = 56;

export interface KlpCallbackAddresses {
  prePatch: bigint;
  postPatch: bigint;
  preUnpatch: bigint;
  postUnpatch: bigint;
}

export class KlpFunc {
  oldFunc = 0n;
  newFunc: bigint;
  oldSize = 0n;
  newSize = 0n;
  patched = false;
  transition = false;

  constructor(
    readonly object: KlpObject,
    /** null when the module left old_name NULL (klp_init_func() refuses it). */
    readonly oldName: string | null,
    newFunc: bigint,
    readonly oldSympos: bigint,
    /** The guest's struct klp_func; 0 for a dynamic nop. */
    readonly address: bigint,
    readonly nop: boolean,
  ) {
    this.newFunc = newFunc;
  }

  /** The sysfs directory name: `<function,sympos>` (sympos 0 shows as 1). */
  get sysfsName(): string {
    return `${this.oldName ?? '(null)'},${this.oldSympos === 0n ? 1n : this.oldSympos}`;
  }
}

export class KlpObject {
  readonly funcs: KlpFunc[] = [];
  mod: KlpKernelModule | undefined;
  patched = false;
  postUnpatchEnabled = false;

  constructor(
    readonly patch: KlpPatch,
    /** null is vmlinux. */
    readonly name: string | null,
    readonly callbacks: KlpCallbackAddresses,
    /** The guest's struct klp_object; 0 for a dynamic object (replace). */
    readonly address: bigint,
    readonly dynamic: boolean,
  ) {}

  get isModule(): boolean {
    return this.name !== null;
  }

  get displayName(): string {
    return this.name ?? 'vmlinux';
  }

  /** klp_is_object_loaded(). */
  get loaded(): boolean {
    return !this.isModule || this.mod !== undefined;
  }
}

export interface KlpState {
  id: bigint;
  version: number;
  /** The guest's struct klp_state (what klp_get_state() returns). */
  address: bigint;
}

export class KlpPatch {
  readonly objects: KlpObject[] = [];
  enabled = false;
  forced = false;

  constructor(
    readonly mod: KlpKernelModule,
    readonly address: bigint,
    readonly replace: boolean,
    readonly states: KlpState[],
  ) {}

  get name(): string {
    return this.mod.name;
  }

  *funcs(): Iterable<KlpFunc> {
    for (const object of this.objects) yield* object.funcs;
  }
}
