// Numeric constants from the System V gABI and the x86-64 psABI, as the reader needs them.

export const ET = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;
export const EM_X86_64 = 62;

// prettier-ignore
export const SHT = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8,
  REL: 9, DYNSYM: 11, INIT_ARRAY: 14, FINI_ARRAY: 15, GROUP: 17, SYMTAB_SHNDX: 18,
} as const;

// prettier-ignore
export const SHF = {
  WRITE: 0x1n, ALLOC: 0x2n, EXECINSTR: 0x4n, MERGE: 0x10n, STRINGS: 0x20n, INFO_LINK: 0x40n,
  LINK_ORDER: 0x80n, GROUP: 0x200n, TLS: 0x400n, COMPRESSED: 0x800n, EXCLUDE: 0x80000000n,
} as const;

export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff, LIVEPATCH: 0xff20 } as const;

export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

export const PT = { NULL: 0, LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6, TLS: 7 } as const;

export const ELFCOMPRESS = { ZLIB: 1, ZSTD: 2 } as const;

export const NT_GNU_BUILD_ID = 3;

/** x86-64 relocation types, by value, with the names readelf prints. */
// prettier-ignore
export const R_X86_64: Record<number, string> = {
  0: 'R_X86_64_NONE', 1: 'R_X86_64_64', 2: 'R_X86_64_PC32', 3: 'R_X86_64_GOT32', 4: 'R_X86_64_PLT32',
  5: 'R_X86_64_COPY', 6: 'R_X86_64_GLOB_DAT', 7: 'R_X86_64_JUMP_SLOT', 8: 'R_X86_64_RELATIVE',
  9: 'R_X86_64_GOTPCREL', 10: 'R_X86_64_32', 11: 'R_X86_64_32S', 12: 'R_X86_64_16', 13: 'R_X86_64_PC16',
  14: 'R_X86_64_8', 15: 'R_X86_64_PC8', 24: 'R_X86_64_PC64', 25: 'R_X86_64_GOTOFF64', 26: 'R_X86_64_GOTPC32',
  41: 'R_X86_64_GOTPCRELX', 42: 'R_X86_64_REX_GOTPCRELX',
};
export const R_X86_64_64 = 1;
export const R_X86_64_PC32 = 2;
export const R_X86_64_PLT32 = 4;
export const R_X86_64_32 = 10;
export const R_X86_64_32S = 11;
export const R_X86_64_PC64 = 24;
