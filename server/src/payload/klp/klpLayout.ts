import { DwarfError, DwarfReader, ElfFile, StructLayout } from '../../elf';
import { KlpLayoutSource } from '../model';

/** Byte offsets of the fields a livepatch module sets, and the array strides. */
export interface KlpLayout extends KlpLayoutSource {
  func: { oldName: number; newFunc: number; oldSympos: number };
  /** `mod` is filled in by the kernel (the loaded module an object names); modules' callbacks read it. */
  object: { name: number; funcs: number; callbacks: number; mod: number };
  callbacks: { prePatch: number; postPatch: number; preUnpatch: number; postUnpatch: number };
  patch: { objs: number; states: number; replace: number };
  stateSize: number;
  state: { id: number; version: number; data: number };
}

/**
 * include/linux/livepatch.h of Linux 6.x on x86-64 (struct kobject is 64 bytes without
 * CONFIG_DEBUG_KOBJECT_RELEASE): used when the module has no DWARF for the klp structs.
 */
// prettier-ignore
export const kernelKlpLayout: KlpLayout = {
  source: 'kernel',
  funcSize: 152,
  objectSize: 168,
  func: { oldName: 0, newFunc: 8, oldSympos: 16 },
  object: { name: 0, funcs: 8, callbacks: 16, mod: 152 },
  callbacks: { prePatch: 0, postPatch: 8, preUnpatch: 16, postUnpatch: 24 },
  patch: { objs: 8, states: 16, replace: 24 },
  stateSize: 24,
  state: { id: 0, version: 8, data: 16 },
};

const klpStructs: ReadonlySet<string> = new Set(['klp_func', 'klp_object', 'klp_callbacks', 'klp_patch', 'klp_state']);

/**
 * The layout the module was compiled with: its own DWARF when it describes the klp structs
 * (modules built with -g, like our sample, whose headers drop the kobjects), else the kernel's.
 * Broken DWARF is not fatal here: the kernel layout is the documented fallback.
 */
export function klpLayoutOf(elf: ElfFile): KlpLayout {
  if (!elf.section('.debug_info')) return kernelKlpLayout;
  let structs: Map<string, StructLayout>;
  try {
    structs = new DwarfReader(elf).structLayouts(klpStructs);
  } catch (error) {
    if (error instanceof DwarfError) return kernelKlpLayout;
    throw error;
  }
  return klpLayoutFrom((name) => structs.get(name)) ?? kernelKlpLayout;
}

/**
 * The klp layout that struct layouts from DWARF (a module's, or a kernel's through its index)
 * describe; undefined when they lack klp_func, klp_object, klp_callbacks or klp_patch, or give
 * entries too short to walk.
 */
export function klpLayoutFrom(struct: (name: string) => StructLayout | undefined): KlpLayout | undefined {
  const func = struct('klp_func');
  const object = struct('klp_object');
  const callbacks = struct('klp_callbacks');
  const patch = struct('klp_patch');
  const state = struct('klp_state');
  if (!func || !object || !callbacks || !patch) return undefined;
  const at = (layout: StructLayout, member: string, fallback: number): number => layout.members.find((m) => m.name === member)?.offset ?? fallback;
  const k = kernelKlpLayout;
  const layout: KlpLayout = {
    source: 'dwarf',
    funcSize: func.size,
    objectSize: object.size,
    func: { oldName: at(func, 'old_name', k.func.oldName), newFunc: at(func, 'new_func', k.func.newFunc), oldSympos: at(func, 'old_sympos', k.func.oldSympos) },
    // prettier-ignore
    object: { name: at(object, 'name', k.object.name), funcs: at(object, 'funcs', k.object.funcs), callbacks: at(object, 'callbacks', k.object.callbacks), mod: at(object, 'mod', k.object.mod) },
    callbacks: {
      prePatch: at(callbacks, 'pre_patch', k.callbacks.prePatch),
      postPatch: at(callbacks, 'post_patch', k.callbacks.postPatch),
      preUnpatch: at(callbacks, 'pre_unpatch', k.callbacks.preUnpatch),
      postUnpatch: at(callbacks, 'post_unpatch', k.callbacks.postUnpatch),
    },
    patch: { objs: at(patch, 'objs', k.patch.objs), states: at(patch, 'states', k.patch.states), replace: at(patch, 'replace', k.patch.replace) },
    stateSize: state?.size ?? k.stateSize,
    state: state ? { id: at(state, 'id', k.state.id), version: at(state, 'version', k.state.version), data: at(state, 'data', k.state.data) } : k.state,
  };
  return strides(layout) ? layout : undefined;
}

/**
 * Whether the arrays can be walked with this layout: each entry at least as long as the fields
 * read from it. DWARF that says a klp_func is 0 bytes long (one relocation type changed in
 * .rela.debug_info is enough) would have the decoder read the same entry for ever.
 */
function strides(layout: KlpLayout): boolean {
  const pointer = 8;
  const { func, object, callbacks } = layout;
  const callbacksEnd = object.callbacks + Math.max(callbacks.prePatch, callbacks.postPatch, callbacks.preUnpatch, callbacks.postUnpatch) + pointer;
  return (
    layout.funcSize >= Math.max(func.oldName, func.newFunc, func.oldSympos) + pointer && layout.objectSize >= Math.max(object.name + pointer, object.funcs + pointer, callbacksEnd)
  );
}
