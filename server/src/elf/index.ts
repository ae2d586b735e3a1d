/**
 * ELF64 reader (little-endian, x86-64). Public API, stable:
 *
 *   readElf(path): ElfFile                   open a file for random access (call close())
 *   parseElf(buffer, name): ElfFile          the same for bytes already in memory
 *   ElfFile
 *     .header: ElfHeader                     e_* fields; shnum/shstrndx already resolved for
 *                                            extended numbering
 *     .sections: ElfSection[]                by index; .section(name) = first of that name,
 *                                            .sectionAt(index, structure) throws when absent
 *     .segments: ElfSegment[]                program headers
 *     .sectionData(s): Buffer                contents, inflated when SHF_COMPRESSED (zlib; zstd
 *                                            throws ElfUnsupportedError); empty for SHT_NOBITS
 *     .rawSectionData(s): Buffer             bytes exactly as stored
 *     .symbols(table?): ElfSymbol[]          .symtab by default; st_shndx resolved through
 *                                            SHT_SYMTAB_SHNDX; cached
 *     .relocations(relaSection): ElfRelocation[]     one SHT_RELA section
 *     .relocationSectionsFor(target): ElfSection[]   SHT_RELA sections whose sh_info is target
 *     .notes(): ElfNote[]                    every SHT_NOTE section (PT_NOTE without sections)
 *     .buildId(): string | undefined         NT_GNU_BUILD_ID as hex, also inside vmlinux .notes
 *     .readBytes(offset, length, structure)  raw file bytes
 *   AddressMap(symbols).lookup(addr)         nearest symbol at or below an address
 *   Constants: ET, SHT, SHF, SHN, STT, STB, PT, R_X86_64 (type -> name) and R_X86_64_* values.
 *
 * Every address, size, offset and flag is a BigInt. Malformed input throws ElfError (file,
 * structure, offset, detail); DWARF problems throw DwarfError, a subclass.
 */
export * from './constants';
export * from './errors';
export * from './types';
export { ElfFile, readElf, parseElf, decodeSectionHeader } from './elfFile';
export { AddressMap, SymbolHit } from './addressMap';

// DWARF 2-5 (dwarf/): new DwarfReader(elf).scan({ onProgress }) -> DwarfFacts with concrete and
// abstract subprograms, every inlined copy (callee, outermost out-of-line function, immediate
// caller, call file and line) and struct/union layouts by name; .scanColumns(options) gives the
// same facts as one typed array per field, for the target index. Relocations are applied to the
// debug sections of ET_REL objects only.
export { DwarfReader } from './dwarf/dwarfReader';
export * from './dwarf/model';

// Disassembly (iced-x86, objdump-like AT&T): disassemble(code, address, { symbolize, relocations })
// and disassembleSymbol(elf, symbol), which symbolizes and adds `objdump -dr` relocation lines.
export { disassemble, disassembleSymbol, directTransfers, DirectTransfer, DisassembledInstruction, DisassembleOptions, InstructionFlow } from './disassembler';
