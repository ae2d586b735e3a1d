import { ElfSection, R_X86_64_PC32, SHF } from '../../elf';
import { FieldValue, isNullField, KlpCallbacks, KlpFunc, KlpObject, KlpPatch, SymbolRef } from '../model';
import { RelocatedSections } from '../relocatedSections';
import { KlpLayout } from './klpLayout';

interface Place {
  section: ElfSection;
  offset: bigint;
}

/**
 * Rebuilds klp_patch -> klp_object[] -> klp_func[] from the module's data sections by
 * following their relocations, the way klp_enable_patch() walks them: arrays end at the
 * first entry whose identifying fields are all zero.
 */
export function decodeKlpGraph(view: RelocatedSections, layout: KlpLayout): { patch: KlpPatch } | { problem: string } {
  const found = findEnabledPatch(view);
  if ('problem' in found) return found;
  const { place, symbol } = found;
  const objsField = view.pointer(place.section, place.offset + BigInt(layout.patch.objs));
  const statesField = view.pointer(place.section, place.offset + BigInt(layout.patch.states));
  const replace = view.byte(place.section, place.offset + BigInt(layout.patch.replace)) !== 0;
  const objs = placeOf(view, objsField.reloc);
  const objects: KlpObject[] = [];
  let objectsTerminated = false;
  if (objs) {
    for (let offset = objs.offset; offset + BigInt(layout.objectSize) <= objs.section.size; offset += BigInt(layout.objectSize)) {
      const nameField = view.pointer(objs.section, offset + BigInt(layout.object.name));
      const funcsField = view.pointer(objs.section, offset + BigInt(layout.object.funcs));
      if (isNullField(nameField) && isNullField(funcsField)) {
        objectsTerminated = true;
        break;
      }
      objects.push(decodeObject(view, layout, objects.length, nameField, funcsField, { section: objs.section, offset }));
    }
  }
  return { patch: { symbol, replace, objects, objectsTerminated, hasStates: !isNullField(statesField) } };
}

function decodeObject(view: RelocatedSections, layout: KlpLayout, index: number, nameField: FieldValue, funcsField: FieldValue, at: Place): KlpObject {
  const callbackAt = (field: number): SymbolRef | undefined => view.pointer(at.section, at.offset + BigInt(layout.object.callbacks + field)).reloc;
  const callbacks: KlpCallbacks = {};
  const entries: Array<[keyof KlpCallbacks, number]> = [
    ['prePatch', layout.callbacks.prePatch],
    ['postPatch', layout.callbacks.postPatch],
    ['preUnpatch', layout.callbacks.preUnpatch],
    ['postUnpatch', layout.callbacks.postUnpatch],
  ];
  for (const [key, offset] of entries) {
    const ref = callbackAt(offset);
    if (ref) callbacks[key] = ref;
  }
  const funcs: KlpFunc[] = [];
  let funcsTerminated = false;
  const array = placeOf(view, funcsField.reloc);
  if (array) {
    const stride = BigInt(layout.funcSize);
    for (let offset = array.offset; offset + stride <= array.section.size; offset += stride) {
      const oldNameField = view.pointer(array.section, offset + BigInt(layout.func.oldName));
      const newFunc = view.pointer(array.section, offset + BigInt(layout.func.newFunc));
      const oldSympos = view.pointer(array.section, offset + BigInt(layout.func.oldSympos)).raw;
      if (isNullField(oldNameField) && isNullField(newFunc) && oldSympos === 0n) {
        funcsTerminated = true;
        break;
      }
      const oldName = view.stringAt(oldNameField.reloc);
      funcs.push({ index: funcs.length, offset, ...(oldName !== undefined ? { oldName } : {}), oldNameField, newFunc, oldSympos });
    }
  }
  return {
    index,
    name: nameField.reloc ? (view.stringAt(nameField.reloc) ?? nameField.reloc.display) : null,
    funcs,
    ...(funcsField.reloc ? { funcsAt: funcsField.reloc.display } : {}),
    funcsTerminated,
    callbacks,
  };
}

function placeOf(view: RelocatedSections, ref: SymbolRef | undefined): Place | undefined {
  if (!ref?.section || ref.sectionOffset === undefined) return undefined;
  const section = view.elf.section(ref.section);
  return section && ref.sectionOffset >= 0n ? { section, offset: ref.sectionOffset } : undefined;
}

/**
 * The klp_patch is what the module passes to klp_enable_patch(): the last data reference
 * before that call (`mov $patch,%rdi`, or `lea patch(%rip),%rdi` whose PC-relative addend is
 * -4 from the end of the instruction).
 */
function findEnabledPatch(view: RelocatedSections): { place: Place; symbol: string } | { problem: string } {
  for (const text of view.elf.sections.filter((s) => s.flags & SHF.EXECINSTR)) {
    const relocs = [...view.relocationsOf(text).values()].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    const call = relocs.findIndex((r) => view.describe(r, text).symbol === 'klp_enable_patch');
    if (call < 0) continue;
    for (let i = call - 1; i >= 0; i--) {
      const reloc = relocs[i].type === R_X86_64_PC32 ? { ...relocs[i], addend: relocs[i].addend + 4n } : relocs[i];
      const ref = view.describe(reloc, text);
      const section = ref.section ? view.elf.section(ref.section) : undefined;
      if (!section || section.flags & SHF.EXECINSTR || ref.sectionOffset === undefined) continue;
      return { place: { section, offset: ref.sectionOffset }, symbol: ref.display };
    }
    return { problem: `${text.name} calls klp_enable_patch() but no data reference before the call names the klp_patch` };
  }
  return { problem: 'no function calls klp_enable_patch(), so the klp_patch cannot be found' };
}
