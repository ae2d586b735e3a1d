import { ElfFile, parseElf, SHF, SHN, SHT } from '../../elf';
import { SHF_RELA_LIVEPATCH } from '../../payload/klp/klpNames';
import { asKernelReadsIt, moduleFile, ModuleFileError } from '../../payload/klp/moduleFile';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/** The relocation types x86-64's apply_relocate_add() knows (6.1). */
const knownTypes = new Set([0, 1, 2, 4, 10, 11, 24]);

/**
 * LP141: what 6.1's load_module() refuses in a module file whatever kernel it is loaded into,
 * in the kernel's words: elf_validity_check() and setup_load_info() on the raw bytes, then
 * simplify_symbols()' common and out-of-range symbols and the relocation types the x86 loader
 * does not know. (W|X sections are LP312's.) insmod says "Invalid module format" for each.
 */
export function checkModuleLoader(sink: FindingSink, bytes: Buffer, file: string): void {
  const refuse = (where: string, line: string) =>
    sink.add(
      payloadChecks.moduleLoaderRefuses,
      where,
      `The kernel's module loader refuses this file: "${line}", and insmod says "could not insert module ${file}: Invalid module format" (-ENOEXEC). Rebuild the module with kbuild; a file edited after the build must keep the ELF layout the loader checks.`,
      'ENOEXEC',
    );
  // The kernel prints struct module's name; kbuild writes the same one into .modinfo, which every build of struct module agrees on.
  let structName: string;
  try {
    structName = moduleFile(bytes).name;
  } catch (error) {
    if (!(error instanceof ModuleFileError)) throw error;
    refuse('ELF header and section headers', error.line);
    return;
  }
  let elf: ElfFile;
  try {
    elf = parseElf(asKernelReadsIt(bytes), file);
  } catch {
    return; // what our reader cannot read, LP302 says
  }
  const shnum = elf.header.shnum;
  for (const sym of elf.symbols().slice(1)) {
    if (sym.shndx === SHN.COMMON && !sym.name.startsWith('__gnu_lto')) refuse(`symbol ${sym.name}`, `${structName}: please compile with -fno-common`);
    else if (sym.shndx >= shnum && sym.shndx !== SHN.ABS && sym.shndx !== SHN.LIVEPATCH && sym.shndx !== SHN.COMMON)
      refuse(`symbol ${sym.name}`, `${structName}: Symbol ${sym.name} has an invalid section index ${sym.shndx} (max ${shnum - 1})`);
  }
  for (const rela of elf.sections.filter((s) => s.type === SHT.RELA && !(s.flags & SHF_RELA_LIVEPATCH))) {
    const target = elf.sections[rela.info];
    if (!target || !(target.flags & SHF.ALLOC)) continue;
    const unknown = elf.relocations(rela).find((r) => !knownTypes.has(r.type));
    if (unknown) refuse(rela.name, `module: ${structName}: Unknown rela relocation: ${unknown.type}`);
  }
}
