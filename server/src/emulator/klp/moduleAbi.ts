import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One exported kernel symbol as Module.symvers lists it. */
export interface KernelExport {
  crc: number;
  gplOnly: boolean;
}

/**
 * The module ABI of a real kernel build, for a kernel model that stands for it (the differential
 * against Debian's 6.1): what load_module() then checks beyond the sample kernel's rules.
 * Without one, the model is the sample kernel's: any vermagic, every global of the target
 * linkable, .modinfo's name the module's.
 */
export interface ModuleAbi {
  /** VERMAGIC_STRING. */
  vermagic: string;
  /** What the kernel exports (Module.symvers): the only names a module links to, their CRCs checked against __versions. */
  exports: ReadonlyMap<string, KernelExport>;
  /** CONFIG_MODULE_FORCE_LOAD: a module without vermagic or __versions loads, tainting the kernel. */
  forceLoad: boolean;
  /** offsetof(struct module, name): a loaded module is named by its struct module, not by .modinfo. */
  structNameOffset: number;
  /** CONFIG_RETPOLINE (with its mitigation on, as on the project's machines): a module without `retpoline=Y` is warned about. */
  retpoline: boolean;
}

/** `0xCRC\tNAME\tMODULE\tEXPORT_SYMBOL[_GPL]\tNAMESPACE` lines of vmlinux's exports. */
export function readSymvers(text: string): Map<string, KernelExport> {
  const exports = new Map<string, KernelExport>();
  for (const line of text.split('\n')) {
    const [crc, name, module, kind] = line.split('\t');
    if (name && module === 'vmlinux') exports.set(name, { crc: Number(crc) >>> 0, gplOnly: kind === 'EXPORT_SYMBOL_GPL' });
  }
  return exports;
}

/**
 * The ABI of the kernel a kbuild headers tree (/usr/src/linux-headers-R) was made for: its
 * release and configuration give VERMAGIC_STRING as include/linux/vermagic.h composes it, its
 * Module.symvers the exports. x86-64 has no MODULE_ARCH_VERMAGIC.
 */
export function headersModuleAbi(headers: string): ModuleAbi {
  const config = readFileSync(path.join(headers, 'include', 'config', 'auto.conf'), 'utf8');
  const on = (option: string) => new RegExp(`^CONFIG_${option}=y$`, 'm').test(config);
  // UTS_RELEASE, not include/config/kernel.release (Debian's says the upstream 6.1.N there).
  const release = /UTS_RELEASE "([^"]*)"/.exec(readFileSync(path.join(headers, 'include', 'generated', 'utsrelease.h'), 'utf8'))?.[1] ?? '';
  const vermagic = [
    `${release} `,
    on('SMP') ? 'SMP ' : '',
    on('PREEMPT_RT') ? 'preempt_rt ' : on('PREEMPT_BUILD') ? 'preempt ' : '',
    on('MODULE_UNLOAD') ? 'mod_unload ' : '',
    on('MODVERSIONS') ? 'modversions ' : '',
    on('RANDSTRUCT') ? 'RANDSTRUCT ' : '',
  ].join('');
  return {
    vermagic,
    exports: readSymvers(readFileSync(path.join(headers, 'Module.symvers'), 'utf8')),
    forceLoad: on('MODULE_FORCE_LOAD'),
    structNameOffset: 24,
    retpoline: on('RETPOLINE'),
  };
}
