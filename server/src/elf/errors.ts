/**
 * Every malformed-input failure of the ELF and DWARF readers is one of these, so callers (the
 * CLI, the language server, the emulator's loader) can tell "this file is bad" from a bug.
 */
export class ElfError extends Error {
  constructor(
    readonly file: string,
    /** The structure being read: "ELF header", "section header 12", ".symtab entry 40", ... */
    readonly structure: string,
    /** Byte offset in the file (or in the named section, for DWARF) where the problem is. */
    readonly offset: bigint,
    readonly detail: string,
  ) {
    super(`${file}: ${structure} at offset 0x${offset.toString(16)}: ${detail}`);
    this.name = new.target.name;
  }
}

/** The input is well formed but uses something we do not read (zstd, ELF32, big-endian). */
export class ElfUnsupportedError extends ElfError {}

/** Malformed DWARF; `offset` is relative to the start of the named debug section. */
export class DwarfError extends ElfError {}
