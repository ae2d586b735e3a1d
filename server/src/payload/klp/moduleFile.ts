import type { ElfSection } from '../../elf';
/*
 * What 6.1's load_module() reads from a module file before it parses anything else, on the raw
 * bytes as the kernel does (kernel/module/main.c): elf_validity_check() with its words, then
 * setup_load_info()'s section lookups (find_sec() sees only SHF_ALLOC sections) and
 * get_modinfo(), whose values are C strings that run on past the end of .modinfo when its last
 * NUL is missing, as the kernel's do.
 */

/** A refusal (-ENOEXEC) before the module has a name, with the kernel's line. */
export class ModuleFileError extends Error {
  constructor(readonly line: string) {
    super(line);
  }
}

const SHF_ALLOC = 0x2n;
const SHT_NULL = 0;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;

/** A section header as the kernel reads it, before any name is trusted: sh_name kept as the offset it is. */
export type RawSection = Pick<ElfSection, 'index' | 'name' | 'type' | 'flags' | 'addr' | 'offset' | 'size' | 'link'> & { nameOffset: number };

/** The file as setup_load_info() leaves it: the sections, the name, and where the kernel found what. */
export interface ModuleFile {
  bytes: Uint8Array;
  sections: RawSection[];
  /** .modinfo's `name=`, else the struct module's name. */
  name: string;
  /** The name in struct module (.gnu.linkonce.this_module): the module's name once it is loaded. */
  structName: string;
  modinfo(tag: string): string | undefined;
  /** The section find_sec() finds (SHF_ALLOC, by name). */
  find(name: string): RawSection | undefined;
}

const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, at: number) => BigInt(u32(b, at)) | (BigInt(u32(b, at + 4)) << 32n);

function cString(b: Uint8Array, at: number, max = Infinity): string {
  let end = at;
  while (end < b.length && end - at < max && b[end] !== 0) end++;
  return String.fromCharCode(...b.subarray(at, end));
}

/** elf_validity_check(): the header, the section headers and the section name table. */
export function validModuleFile(bytes: Uint8Array): RawSection[] {
  const fail = (line: string): never => {
    throw new ModuleFileError(line);
  };
  if (bytes.length < 64) fail(`Invalid ELF header len ${bytes.length}`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('Invalid ELF header magic: != \x7fELF');
  const type = u16(bytes, 16);
  if (type !== 1) fail(`Invalid ELF header type: ${type} != 1`);
  const machine = u16(bytes, 18);
  if (machine !== 62) fail(`Invalid architecture in ELF header: ${machine}`);
  if (u16(bytes, 58) !== 64) fail('Invalid ELF section header size');
  const shoff = u64(bytes, 40);
  const shnum = u16(bytes, 60);
  const len = BigInt(bytes.length);
  if (shoff >= len || BigInt(shnum) * 64n > len - shoff) fail('Invalid ELF section header overflow');
  const shstrndx = u16(bytes, 62);
  if (shstrndx === 0 || shstrndx >= shnum) fail(`Invalid ELF section name index: ${shstrndx} || e_shstrndx (${shstrndx}) >= e_shnum (${shnum})`);
  const header = (index: number): RawSection => {
    const at = Number(shoff) + index * 64;
    return {
      index,
      name: '',
      nameOffset: u32(bytes, at),
      type: u32(bytes, at + 4),
      flags: u64(bytes, at + 8),
      addr: u64(bytes, at + 16),
      offset: u64(bytes, at + 24),
      size: u64(bytes, at + 32),
      link: u32(bytes, at + 40),
    };
  };
  const inFile = (s: RawSection) => s.offset + s.size <= len && s.offset + s.size >= s.offset;
  const strhdr = header(shstrndx);
  if (!inFile(strhdr)) fail(`Invalid ELF section hdr(type ${strhdr.type})`);
  if (strhdr.size === 0n) fail('empty section name table');
  if (bytes[Number(strhdr.offset + strhdr.size) - 1] !== 0) fail("ELF Spec violation: section name table isn't null terminated");
  const zero = header(0);
  if (zero.type !== SHT_NULL || zero.size !== 0n || zero.addr !== 0n) fail(`ELF Spec violation: section 0 type(${zero.type})!=SH_NULL or non-zero len or addr`);
  const sections = [zero];
  for (let i = 1; i < shnum; i++) {
    const s = header(i);
    sections.push(s);
    if (s.type === SHT_NULL || s.type === SHT_NOBITS) continue;
    if (s.type === SHT_SYMTAB && (s.link === 0 || s.link >= shnum)) fail(`Invalid ELF sh_link!=SHN_UNDEF(${s.link}) or (sh_link(${s.link}) >= hdr->e_shnum(${shnum})`);
    if (!inFile(s)) fail(`Invalid ELF section in module (section ${i} type ${s.type})`);
    if (s.flags & SHF_ALLOC && BigInt(s.nameOffset) >= strhdr.size) fail(`Invalid ELF section name in module (section ${i} type ${s.type})`);
  }
  const names = Number(strhdr.offset);
  for (const s of sections) s.name = BigInt(s.nameOffset) < strhdr.size ? cString(bytes, names + s.nameOffset) : '';
  return sections;
}

/** setup_load_info(): .modinfo's name, the symbol table, struct module; refusals in the kernel's words. */
export function moduleFile(bytes: Uint8Array): ModuleFile {
  const sections = validModuleFile(bytes);
  const find = (name: string) => sections.slice(1).find((s) => s.flags & SHF_ALLOC && s.name === name);
  const info = find('.modinfo');
  const modinfo = (tag: string): string | undefined => {
    if (!info) return undefined;
    // get_next_modinfo(): walk the strings of the section; the value is a C string wherever it ends.
    let at = Number(info.offset);
    let size = Number(info.size);
    while (at < bytes.length && size > 0) {
      if (cString(bytes, at, tag.length) === tag && bytes[at + tag.length] === 0x3d) return cString(bytes, at + tag.length + 1);
      while (bytes[at] !== 0) {
        at++;
        if (size-- <= 1) return undefined;
      }
      while (bytes[at] === 0) {
        at++;
        if (size-- <= 1) return undefined;
      }
    }
    return undefined;
  };
  const early = modinfo('name');
  const missing = '(missing .modinfo section or name field)';
  if (!sections.some((s) => s.index > 0 && s.type === SHT_SYMTAB)) throw new ModuleFileError(`${early ?? missing}: module has no symbols (stripped?)`);
  const mod = find('.gnu.linkonce.this_module');
  if (!mod) throw new ModuleFileError(`${early ?? missing}: No module found in object`);
  // struct module: enum module_state (4), padding, struct list_head (16), char name[56].
  const structName = cString(bytes, Number(mod.offset) + 24, 56);
  return { bytes, sections, name: early ?? structName, structName, modinfo, find };
}

/**
 * The file as the kernel takes it, for an ELF reader that checks more: e_ident's class and byte
 * order (elf_check_arch() reads only e_machine) and the program headers are never read by
 * load_module(), so the copy says ELF64, little-endian, no program headers.
 */
export function asKernelReadsIt(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  copy.set([2, 1], 4);
  copy.writeUInt16LE(0, 56);
  return copy;
}
