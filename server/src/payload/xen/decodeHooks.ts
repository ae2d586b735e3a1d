import { RelocatedSections } from '../relocatedSections';
import { XenHook } from '../model';
import { hookKinds, hookSection } from './hookSections';

/** Every `.livepatch.hooks.*` section present, one resolved pointer per 8 bytes of its data. */
export function decodeHooks(view: RelocatedSections): XenHook[] {
  const hooks: XenHook[] = [];
  for (const kind of hookKinds) {
    const section = view.elf.section(hookSection(kind));
    if (!section) continue;
    // The pointers the file holds: a SHT_NOBITS section has none (its size is only a header field).
    const count = Math.floor(view.bytes(section).length / 8);
    hooks.push({ kind, section: section.name, size: section.size, functions: Array.from({ length: count }, (_, i) => view.pointer(section, BigInt(i * 8))) });
  }
  return hooks;
}
