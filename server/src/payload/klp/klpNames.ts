// The kernel parses these names with sscanf (kernel/livepatch/core.c, module-elf-format.rst):
// `.klp.sym.%55[^.].%511[^,],%lu` for symbols and `.klp.rela.%55[^.]` for relocation sections.

/** SHF_RELA_LIVEPATCH: the section holds relocations the livepatch core applies, not the module loader. */
export const SHF_RELA_LIVEPATCH = 0x00100000n;

export const klpSymPrefix = '.klp.sym.';
export const klpRelaPrefix = '.klp.rela.';

export function parseKlpSymbolName(name: string): { objectName: string; symbol: string; sympos: number } | undefined {
  const m = /^\.klp\.sym\.([^.]{1,55})\.([^,]{1,511}),(\d+)$/.exec(name);
  return m ? { objectName: m[1], symbol: m[2], sympos: Number(m[3]) } : undefined;
}

export function parseKlpRelaName(name: string): { objectName: string; targetSection: string } | undefined {
  const m = /^\.klp\.rela\.([^.]{1,55})(\..+)$/.exec(name);
  return m ? { objectName: m[1], targetSection: m[2] } : undefined;
}
