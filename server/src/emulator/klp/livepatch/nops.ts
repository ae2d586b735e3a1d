import { KlpFunc, KlpObject, KlpPatch } from './model';

// The dynamic 'nop' objects and funcs of an atomic replace (core.c klp_add_nops()): every
// function an older patch changes and the new one does not gets a nop, so once the new patch
// is complete it runs the original code again.

/** klp_find_object(): a module object by name, vmlinux by being vmlinux. */
function findObject(patch: KlpPatch, old: KlpObject): KlpObject | undefined {
  return patch.objects.find((o) => (old.isModule ? o.isModule && o.name === old.name : !o.isModule));
}

/** klp_add_nops(): what it added, so the caller can register it in sysfs. */
export function addNops(patch: KlpPatch, installed: readonly KlpPatch[]): void {
  for (const oldPatch of installed) {
    for (const oldObject of oldPatch.objects) {
      let object = findObject(patch, oldObject);
      if (!object) {
        object = new KlpObject(patch, oldObject.name, { prePatch: 0n, postPatch: 0n, preUnpatch: 0n, postUnpatch: 0n }, 0n, true);
        patch.objects.push(object);
      }
      for (const oldFunc of oldObject.funcs) {
        if (object.funcs.some((f) => f.oldName === oldFunc.oldName && f.oldSympos === oldFunc.oldSympos)) continue;
        object.funcs.push(new KlpFunc(object, oldFunc.oldName, 0n, oldFunc.oldSympos, 0n, true));
      }
    }
  }
}

/** klp_free_objects_dynamic(): drops the nops (and dynamic objects); returns the dropped ones. */
export function dropNops(patch: KlpPatch): { objects: KlpObject[]; funcs: KlpFunc[] } {
  const objects = patch.objects.filter((o) => o.dynamic);
  const funcs = patch.objects.filter((o) => !o.dynamic).flatMap((o) => o.funcs.filter((f) => f.nop));
  for (const object of patch.objects) object.funcs.splice(0, object.funcs.length, ...object.funcs.filter((f) => !f.nop));
  patch.objects.splice(0, patch.objects.length, ...patch.objects.filter((o) => !o.dynamic));
  return { objects, funcs };
}
