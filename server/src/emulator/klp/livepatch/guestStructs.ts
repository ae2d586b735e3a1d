import { Memory } from '../../memory';
import { KlpLayout } from '../../../payload/klp/klpLayout';
import { KlpKernelModule, LivepatchKernel } from './kernelPort';
import { EINVAL } from '../errno';
import { KlpFunc, KlpObject, KlpPatch, KlpState } from './model';

// klp_enable_patch()'s reading of the guest's structures, with the layouts of the module that
// defines them: klp_for_each_object_static() ends at an object with neither name nor funcs,
// klp_for_each_func_static() at a func with no old_name, new_func or old_sympos, and
// klp_for_each_state() at a state with id 0.

/** Bounds the static walks: a module without its `{ }` sentinel reads garbage, not forever. */
const MAX_ENTRIES = 4096;

export type ReadPatch = { patch: KlpPatch } | { errno: number; error?: string };

export interface GuestFuncFields {
  address: bigint;
  oldName: bigint;
  newFunc: bigint;
  oldSympos: bigint;
}

export interface GuestObjectFields {
  address: bigint;
  name: bigint;
  funcs: GuestFuncFields[];
  callbacks: { prePatch: bigint; postPatch: bigint; preUnpatch: bigint; postUnpatch: bigint };
}

/** The part of klp_enable_patch() before klp_init_patch(): the early -EINVAL checks. */
export function readGuestPatch(kernel: LivepatchKernel, address: bigint): ReadPatch {
  const memory = kernel.machine.memory;
  if (address === 0n) return { errno: EINVAL };
  const modAddress = memory.readU64(address);
  const mod = modAddress ? kernel.moduleAt(modAddress) : undefined;
  if (!mod) return { errno: EINVAL };
  const layout = mod.klpLayout;
  const objs = memory.readU64(address + BigInt(layout.patch.objs));
  if (objs === 0n) return { errno: EINVAL };
  const objects = readObjects(memory, layout, objs);
  if (objects.some((o) => o.funcs.length === 0 && memory.readU64(o.address + BigInt(layout.object.funcs)) === 0n)) return { errno: EINVAL };
  if (!mod.livepatch) return { errno: EINVAL, error: `module ${mod.name} is not marked as a livepatch module` };
  const replace = memory.readU8(address + BigInt(layout.patch.replace)) !== 0;
  const patch = new KlpPatch(mod, address, replace, readStates(memory, layout, memory.readU64(address + BigInt(layout.patch.states))));
  for (const fields of objects) {
    const object = new KlpObject(patch, fields.name ? memory.readCString(fields.name) : null, fields.callbacks, fields.address, false);
    for (const f of fields.funcs) {
      object.funcs.push(new KlpFunc(object, f.oldName ? memory.readCString(f.oldName, 1024) : null, f.newFunc, f.oldSympos, f.address, false));
    }
    patch.objects.push(object);
  }
  return { patch };
}

/** The static objects; a func list of a NULL `funcs` reads as empty. */
function readObjects(memory: Memory, layout: KlpLayout, start: bigint): GuestObjectFields[] {
  const out: GuestObjectFields[] = [];
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const address = start + BigInt(i * layout.objectSize);
    const name = memory.readU64(address + BigInt(layout.object.name));
    const funcs = memory.readU64(address + BigInt(layout.object.funcs));
    if (!name && !funcs) break;
    const callback = (offset: number): bigint => memory.readU64(address + BigInt(layout.object.callbacks + offset));
    out.push({
      address,
      name,
      funcs: funcs ? readFuncs(memory, layout, funcs) : [],
      callbacks: {
        prePatch: callback(layout.callbacks.prePatch),
        postPatch: callback(layout.callbacks.postPatch),
        preUnpatch: callback(layout.callbacks.preUnpatch),
        postUnpatch: callback(layout.callbacks.postUnpatch),
      },
    });
  }
  return out;
}

function readFuncs(memory: Memory, layout: KlpLayout, start: bigint): GuestFuncFields[] {
  const out: GuestFuncFields[] = [];
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const address = start + BigInt(i * layout.funcSize);
    const oldName = memory.readU64(address + BigInt(layout.func.oldName));
    const newFunc = memory.readU64(address + BigInt(layout.func.newFunc));
    const oldSympos = memory.readU64(address + BigInt(layout.func.oldSympos));
    if (!oldName && !newFunc && !oldSympos) break;
    out.push({ address, oldName, newFunc, oldSympos });
  }
  return out;
}

export function readStates(memory: Memory, layout: KlpLayout, start: bigint): KlpState[] {
  const out: KlpState[] = [];
  for (let i = 0; start && i < MAX_ENTRIES; i++) {
    const address = start + BigInt(i * layout.stateSize);
    const id = memory.readU64(address + BigInt(layout.state.id));
    if (!id) break;
    out.push({ id, version: memory.readU32(address + BigInt(layout.state.version)), address });
  }
  return out;
}

/** klp_object.mod as the kernel sets it, for callbacks that read obj->mod. */
export function writeObjectModule(kernel: LivepatchKernel, layout: KlpLayout, object: KlpObject, mod: KlpKernelModule | undefined): void {
  if (object.address) kernel.machine.memory.writeU64(object.address + BigInt(layout.object.mod), mod?.address ?? 0n);
}
