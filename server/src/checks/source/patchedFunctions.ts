import type { LivepatchConstruct } from '../../c/livepatchConstructs';
import type { SourceRange } from '../../c/sourceRange';
import { unquote } from './initializerValues';

/** A function of the target that a klp_func entry or a Xen livepatch_func replaces. */
export interface PatchedFunction {
  flavour: 'klp' | 'xen';
  name: string;
  /** Where the name is written (the old_name / .name value, or the entry itself). */
  range: SourceRange;
  entry: LivepatchConstruct;
  /** klp: the klp_object's name, `vmlinux` when it is NULL; Xen: the hypervisor. */
  object: string;
}

/**
 * Every function the source patches. klp_func arrays are tied to their object through the
 * `.funcs` of the klp_object entries; an array no object names is taken to patch vmlinux.
 */
export function patchedFunctions(constructs: LivepatchConstruct[]): PatchedFunction[] {
  const objectOfArray = new Map<string, string>();
  for (const objects of constructs.filter((c) => c.kind === 'klp_object')) {
    for (const object of objects.entries.length ? objects.entries : [objects]) {
      const funcs = object.fields.funcs;
      if (funcs) objectOfArray.set(funcs, unquote(object.fields.name) ?? 'vmlinux');
    }
  }
  const patched: PatchedFunction[] = [];
  for (const construct of constructs) {
    if (construct.kind !== 'klp_func' && construct.kind !== 'livepatch_func') continue;
    for (const entry of construct.entries.length ? construct.entries : [construct]) {
      if (construct.kind === 'klp_func') {
        const name = unquote(entry.fields.old_name);
        if (name) patched.push({ flavour: 'klp', name, range: entry.fieldRanges.old_name ?? entry.selectionRange, entry, object: objectOfArray.get(construct.name) ?? 'vmlinux' });
      } else {
        const name = entry.resolved.name ?? unquote(entry.fields.name) ?? oldAddrSymbol(entry);
        const range = entry.fieldRanges.name ?? entry.fieldRanges.old_addr ?? entry.selectionRange;
        if (name) patched.push({ flavour: 'xen', name, range, entry, object: 'xen' });
      }
    }
  }
  return patched;
}

function oldAddrSymbol(entry: LivepatchConstruct): string | undefined {
  const text = entry.fields.old_addr?.replace(/^&\s*/, '');
  return text && /^[A-Za-z_]\w*$/.test(text) ? text : undefined;
}
