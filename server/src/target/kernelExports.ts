import { ElfFile, ElfSymbol, SHN } from '../elf';
import { StringTable } from './stringTable';
import { allocateColumns, Columns, exportFlag } from './tables';

const ksymtabPrefix = '__ksymtab_';
/** CONFIG_MODVERSIONS: each export's CRC sits in __kcrctab(_gpl) behind a `__crc_<name>` label. */
const crcPrefix = '__crc_';
/** EXPORT_SYMBOL puts its entry in __ksymtab, EXPORT_SYMBOL_GPL in __ksymtab_gpl. */
const ksymtabSections: Record<string, number> = { __ksymtab: 0, __ksymtab_gpl: exportFlag.gpl };

/**
 * What vmlinux exports to modules: the module loader resolves a module's undefined symbols
 * against these tables only (find_symbol()), whatever the type or binding of the exported
 * symbol itself (`__x86_return_thunk` is NOTYPE). Each export leaves a `__ksymtab_<name>` label
 * at its entry; a target without any (Xen, the sample target) exports nothing.
 */
export function exportColumns(elf: ElfFile, symbols: readonly ElfSymbol[], strings: StringTable): Columns<'exports'> {
  const found: Array<[name: string, flags: number]> = [];
  const versioned = new Set<string>();
  for (const s of symbols) if (s.name.startsWith(crcPrefix)) versioned.add(s.name.slice(crcPrefix.length));
  for (const s of symbols) {
    if (!s.name.startsWith(ksymtabPrefix) || s.shndx === SHN.UNDEF || s.shndx >= SHN.LORESERVE) continue;
    const flags = ksymtabSections[elf.sections[s.shndx]?.name ?? ''];
    const name = s.name.slice(ksymtabPrefix.length);
    if (flags !== undefined) found.push([name, flags | (versioned.has(name) ? exportFlag.crc : 0)]);
  }
  const columns = allocateColumns('exports', found.length);
  found.forEach(([name, flags], row) => {
    columns.name[row] = strings.id(name);
    columns.flags[row] = flags;
  });
  return columns;
}
