import { SHN } from '../../elf';
import { applyDeferredRelocations, DeferredSymbol, LoadedImage, LoaderError, symbolByPosition } from '../loader';
import { parseKlpRelaName, parseKlpSymbolName, SHF_RELA_LIVEPATCH } from '../../payload/klp/klpNames';
import { EINVAL } from './errno';
import type { LinuxKernel } from './kernel';
import type { KernelModule } from './modules';

/** The load keeps back a livepatch module's `.klp.rela.<obj>.<section>` sections (SHF_RELA_LIVEPATCH). */
export function isKlpRelocationSection(section: { name: string; flags: bigint }): boolean {
  return (section.flags & SHF_RELA_LIVEPATCH) !== 0n || section.name.startsWith('.klp.rela.');
}

/**
 * klp_apply_section_relocs() for one object (Documentation/livepatch/module-elf-format.rst):
 * applies the module's kept-back `.klp.rela.<objectName>.*` sections, resolving each
 * SHN_LIVEPATCH symbol `.klp.sym.<obj>.<name>,<sympos>` in its object (vmlinux: the target; else
 * the loaded module of that name) by position as klp_find_object_symbol counts. The livepatch
 * core calls it for vmlinux when the patch is enabled and for a module when it comes. Returns 0
 * or -EINVAL, with the kernel's message in the log.
 */
export function applyKlpRelocations(kernel: LinuxKernel, mod: KernelModule, objectName: string): number {
  const sections = mod.image.deferred.filter((s) => parseKlpRelaName(s.name)?.objectName === objectName && !mod.klpRelocated.has(s.name));
  const fail = (message: string) => {
    kernel.log.printk(`\x013livepatch: ${message}\n`);
    return -EINVAL;
  };
  const resolve = (symbol: DeferredSymbol): bigint => {
    const parsed = parseKlpSymbolName(symbol.name);
    if (symbol.shndx !== SHN.LIVEPATCH || !parsed) throw new LoaderError(mod.name, `symbol ${symbol.name} has an incorrectly formatted name`);
    const image = objectImage(kernel, parsed.objectName);
    if (!image) throw new LoaderError(mod.name, `symbol '${parsed.symbol}' not found in symbol table`);
    return symbolByPosition(image, parsed.symbol, parsed.sympos, parsed.objectName);
  };
  for (const section of sections) {
    try {
      applyDeferredRelocations(kernel.machine.memory, mod.image, section, resolve);
    } catch (error) {
      if (!(error instanceof LoaderError)) throw error;
      return fail(error.message.slice(error.file.length + 2));
    }
    mod.klpRelocated.add(section.name);
  }
  return 0;
}

function objectImage(kernel: LinuxKernel, objectName: string): LoadedImage | undefined {
  return objectName === 'vmlinux' ? kernel.machine.images.find((i) => i.kind === 'executable') : kernel.modules.get(objectName)?.image;
}
