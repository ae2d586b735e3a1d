import { RelocatedSections } from '../relocatedSections';
import { XenHook } from '../model';
import { hookKinds, hookSection } from './hookSections';

/** Every `.livepatch.hooks.*` section present, one resolved pointer per 8 bytes. */
export function decodeHooks(view: RelocatedSections): XenHook[] {
  const hooks: XenHook[] = [];
  for (const kind of hookKinds) {
    const section = view.elf.section(hookSection(kind));
    if (!section) continue;
    const count = Number(section.size / 8n);
    hooks.push({ kind, section: section.name, size: section.size, functions: Array.from({ length: count }, (_, i) => view.pointer(section, BigInt(i * 8))) });
  }
  return hooks;
}
