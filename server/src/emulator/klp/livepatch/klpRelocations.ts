import { SHN } from '../../../elf';
import { parseKlpSymbolName } from '../../../payload/klp/klpNames';
import { linuxRelocate } from '../moduleRelocations';
import { applyDeferredRelocations, DeferredRelocationSection, LoadedImage, LoaderError } from '../../loader';
import { Memory } from '../../memory';
import { findObjectSymbol } from './findSymbol';
import { LivepatchKernel } from './kernelPort';
import { EINVAL, ENOEXEC } from '../errno';

// klp_write_section_relocs() and klp_resolve_symbols() of 6.1 on the relocation sections the
// loader kept back: `.klp.rela.<obj>.<section>` of one object, each SHN_LIVEPATCH symbol
// `.klp.sym.<obj>.<name>,<sympos>` found with klp_find_object_symbol(), then apply_relocate_add();
// clearing (a patched module going away) zeroes what was written, as clear_relocate_add() does.

/** Bytes each x86-64 relocation type writes (the ones apply_relocate_add() knows). */
const WIDTH: Record<number, number> = { 1: 8, 24: 8, 2: 4, 4: 4, 10: 4, 11: 4 };

/** 0 or -errno, after printing why as the kernel does. */
export function writeKlpRelocations(kernel: LivepatchKernel, image: LoadedImage, objectName: string, apply: boolean): number {
  // Every SHF_RELA_LIVEPATCH section (the loader deferred those), whatever its name says.
  for (const section of image.deferred) {
    // sscanf(name, ".klp.rela.%55[^.]", objname) == 1
    const sectionObject = section.name.startsWith('.klp.rela.') ? /^[^.]{1,55}/.exec(section.name.slice('.klp.rela.'.length))?.[0] : undefined;
    if (!sectionObject) {
      kernel.printk(`\x013livepatch: section ${section.name} has an incorrectly formatted name\n`);
      return -EINVAL;
    }
    if (sectionObject !== objectName) continue;
    if (!apply) {
      clearRelocations(kernel.machine.memory, section);
      continue;
    }
    const ret = applySection(kernel, image, section, objectName);
    if (ret) return ret;
  }
  return 0;
}

function applySection(kernel: LivepatchKernel, image: LoadedImage, section: DeferredRelocationSection, sectionObject: string): number {
  const resolved = new Map<number, bigint>();
  for (const { symbol } of section.relocations) {
    if (resolved.has(symbol.index) || symbol.value !== undefined) continue;
    if (symbol.shndx !== SHN.LIVEPATCH) {
      kernel.printk(`\x013livepatch: symbol ${symbol.name} is not marked as a livepatch symbol\n`);
      return -EINVAL;
    }
    const name = parseKlpSymbolName(symbol.name);
    if (!name) {
      kernel.printk(`\x013livepatch: symbol ${symbol.name} has an incorrectly formatted name\n`);
      return -EINVAL;
    }
    const vmlinux = name.objectName === 'vmlinux';
    if (sectionObject !== 'vmlinux' && vmlinux) {
      kernel.printk(`\x013livepatch: invalid access to vmlinux symbol '${name.symbol}' from module-specific livepatch relocation section\n`);
      return -EINVAL;
    }
    const found = findObjectSymbol(kernel, vmlinux ? null : name.objectName, name.symbol, BigInt(name.sympos));
    if ('errno' in found) return found.errno;
    resolved.set(symbol.index, found.address);
  }
  try {
    applyDeferredRelocations(kernel.machine.memory, image, section, (symbol) => resolved.get(symbol.index), linuxRelocate(image.name));
  } catch (error) {
    if (!(error instanceof LoaderError)) throw error;
    for (const line of error.message.replace(`${image.name}: `, '').split('\n')) kernel.printk(`\x013${line}\n`);
    return -ENOEXEC;
  }
  return 0;
}

function clearRelocations(memory: Memory, section: DeferredRelocationSection): void {
  for (const r of section.relocations) {
    const width = WIDTH[r.type];
    if (width) memory.write(section.target.address + r.offset, new Uint8Array(width), { force: true });
  }
}
