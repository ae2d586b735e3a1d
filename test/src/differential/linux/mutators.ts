import { R_X86_64, SHF, SHN, SHT, STB, STT } from '../../../../server/out/elf';
import { SHF_RELA_LIVEPATCH } from '../../../../server/out/payload/klp/klpNames';
import { addSection, addSymbol, rela } from './elfGrow';
import type { ModuleFacts, PlacedRelocation } from './moduleFacts';

/**
 * One change to a kbuild-built module, not yet made: what it is (`family`, `what`, said so a
 * reader can redo it by hand) and how to make it from the base's bytes. Every mutator below is a
 * function of the base module's facts; none reads a clock or a random source, so the same base
 * gives the same candidates, and the seeded pick in variants.ts the same variants.
 */
export interface Candidate {
  family: string;
  what: string;
  make(bytes: Buffer): Buffer;
  /**
   * A change the loader may accept while the module it leaves cannot run (its init jumps into
   * the void, its struct module overlaps another section): the real kernel oopses and must be
   * rebooted, a few seconds each under TCG, so few of these are picked.
   */
  risky?: boolean;
}

const shdr = (b: Buffer, index: number) => Number(b.readBigUInt64LE(0x28)) + index * 64;
const symAt = (f: ModuleFacts, index: number) => Number(f.symtab.offset) + index * 24;
const hex = (n: bigint | number) => `0x${n.toString(16)}`;
const relName = (type: number) => R_X86_64[type] ?? `type ${type}`;

/** A fixed-width field write, as a Candidate's make. */
function write(at: number, width: 1 | 2 | 4 | 8, value: bigint): (b: Buffer) => Buffer {
  return (b) => {
    if (width === 8) b.writeBigUInt64LE(BigInt.asUintN(64, value), at);
    else if (width === 4) b.writeUInt32LE(Number(BigInt.asUintN(32, value)), at);
    else if (width === 2) b.writeUInt16LE(Number(value), at);
    else b[at] = Number(value);
    return b;
  };
}

function elfHeader(f: ModuleFacts): Candidate[] {
  const c = (what: string, make: (b: Buffer) => Buffer): Candidate => ({ family: 'elf-header', what, make });
  const shnum = f.elf.header.shnum;
  return [
    c("e_ident[1] 'E' made 'X' (magic)", write(1, 1, 0x58n)),
    c('e_ident[EI_CLASS] ELFCLASS32', write(4, 1, 1n)),
    c('e_ident[EI_DATA] big-endian', write(5, 1, 2n)),
    c('e_ident[EI_OSABI] 97 (ARM)', write(7, 1, 97n)),
    c('e_type ET_EXEC', write(16, 2, 2n)),
    c('e_type ET_DYN', write(16, 2, 3n)),
    c('e_machine EM_386', write(18, 2, 3n)),
    c('e_machine EM_AARCH64', write(18, 2, 183n)),
    c('e_version 0', write(20, 4, 0n)),
    c('e_phnum 1 (e_phoff 64)', (b) => write(32, 8, 64n)(write(56, 2, 1n)(b))),
    c('e_shentsize 40', write(58, 2, 40n)),
    c('e_shoff the file length', (b) => write(40, 8, BigInt(b.length))(b)),
    c(`e_shnum ${shnum + 1000}`, write(60, 2, BigInt(shnum + 1000))),
    c('e_shstrndx 0', write(62, 2, 0n)),
    c(`e_shstrndx ${shnum} (one past the last)`, write(62, 2, BigInt(shnum))),
    c('section 0 sh_size 1', (b) => write(shdr(b, 0) + 32, 8, 1n)(b)),
    c('section 0 sh_type PROGBITS', (b) => write(shdr(b, 0) + 4, 4, 1n)(b)),
    c('file cut to 63 bytes (shorter than the ELF header)', (b) => b.subarray(0, 63)),
    c('file cut to its first half', (b) => b.subarray(0, b.length >> 1)),
    c('last byte of .shstrtab made X (no final NUL)', (b) => {
      const s = f.elf.sections[f.elf.header.shstrndx];
      return write(Number(s.offset + s.size) - 1, 1, 0x58n)(b);
    }),
  ];
}

/** The sections the loader lays out (SHF_ALLOC), with some tables it only reads. */
function sectionChanges(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  for (const s of f.elf.sections.slice(1)) {
    const at = shdr(f.bytes, s.index);
    // Code and data the module runs with: moved out of the image, or made read-only, it faults.
    const lives = /^\.(text|data|bss|init|exit|gnu\.linkonce\.this_module)|^__/.test(s.name) && s.type !== SHT.NOTE;
    const flags = (family: string, what: string, value: bigint) =>
      out.push({
        family,
        what: `${s.name} flags ${flagText(s.flags)} made ${flagText(value)}${what}`,
        make: write(at + 8, 8, value),
        risky: lives && (!(value & SHF.ALLOC) || ((s.flags & SHF.WRITE) !== 0n && !(value & SHF.WRITE))),
      });
    if (s.flags & SHF.ALLOC) {
      flags('section-flags', ' (SHF_ALLOC cleared)', s.flags & ~SHF.ALLOC);
      if (!(s.flags & SHF.WRITE)) flags('section-flags', ' (SHF_WRITE set)', s.flags | SHF.WRITE);
      if (!(s.flags & SHF.EXECINSTR)) flags('section-flags', ' (SHF_EXECINSTR set)', s.flags | SHF.EXECINSTR);
      if (s.flags & SHF.WRITE) flags('section-flags', ' (SHF_WRITE cleared)', s.flags & ~SHF.WRITE);
      flags('section-flags', ' (SHF_WRITE|SHF_EXECINSTR)', s.flags | SHF.WRITE | SHF.EXECINSTR);
      for (const align of [0n, 3n, 4096n, 1n << 21n, 1n << 40n])
        if (align !== s.addralign)
          out.push({ family: 'alignment', what: `${s.name} sh_addralign ${hex(align)} (was ${hex(s.addralign)})`, make: write(at + 48, 8, align), risky: align > 4096n });
    } else if (s.type !== SHT.NULL && s.type !== SHT.RELA && s.type !== SHT.SYMTAB && s.type !== SHT.STRTAB) {
      flags('section-flags', ' (SHF_ALLOC set)', s.flags | SHF.ALLOC);
    }
    if (s.type === SHT.NULL) continue;
    const sizes: bigint[] =
      s.type === SHT.NOBITS
        ? [1n << 40n, s.size + 4096n]
        : s.type === SHT.RELA || s.type === SHT.SYMTAB
          ? [s.size - 1n, s.size - 24n, 0n]
          : [0n, s.size + 1n, 1n << 40n, BigInt(f.bytes.length) - s.offset + 1n, s.size > 8n ? s.size - 8n : 1n];
    for (const size of sizes)
      if (size >= 0n && size !== s.size)
        out.push({
          family: s.name === '.gnu.linkonce.this_module' ? 'this-module' : 'size',
          what: `${s.name} sh_size ${hex(size)} (was ${hex(s.size)})`,
          make: write(at + 32, 8, size),
          risky:
            (lives || s.type === SHT.RELA || s.type === SHT.SYMTAB) &&
            size < s.offset + BigInt(f.bytes.length) &&
            size <= s.size + 4096n &&
            !(s.type === SHT.NOBITS && size > s.size),
        });
    if (s.type !== SHT.NOBITS) out.push({ family: 'size', what: `${s.name} sh_offset past the end of the file`, make: (b) => write(at + 24, 8, BigInt(b.length) + 16n)(b) });
  }
  return out;
}

function flagText(flags: bigint): string {
  const names: [bigint, string][] = [
    [SHF.WRITE, 'W'],
    [SHF.ALLOC, 'A'],
    [SHF.EXECINSTR, 'X'],
    [SHF.MERGE, 'M'],
    [SHF.STRINGS, 'S'],
    [SHF.INFO_LINK, 'I'],
  ];
  return names.map(([bit, n]) => (flags & bit ? n : '')).join('') || '0';
}

/** Relocation types the x86-64 module loader does not handle, and those that write 8 bytes. */
const unknownTypes = [3, 9, 12, 14, 42, 99];
const wideTypes = [1, 24];

function relocations(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  const where = (r: PlacedRelocation) =>
    `${r.rela.name}[${r.index}] (${relName(r.type)} at ${r.target.name}+${hex(r.offset)} against ${f.symbols[r.symbolIndex]?.name || `section ${f.symbols[r.symbolIndex]?.shndx}`}${r.addend < 0n ? '' : '+'}${r.addend})`;
  for (const r of f.relocations) {
    const type = (t: number) => out.push({ family: 'reloc-type', what: `${where(r)} made ${relName(t)}`, make: write(r.fileOffset + 8, 4, BigInt(t)) });
    for (const t of unknownTypes) type(t);
    // R_X86_64_32 of a module or kernel address (above 4 GiB) cannot fit.
    if (r.type !== 10) type(10);
    if (r.type === 2 || r.type === 4) type(r.type === 2 ? 4 : 2);
    if (r.target.flags & SHF.EXECINSTR) for (const t of wideTypes) if (t !== r.type) type(t);
    const addend = (a: bigint, why: string) =>
      out.push({ family: 'reloc-addend', what: `${where(r)} addend ${a}${why}`, make: (b) => (b.writeBigInt64LE(a, r.fileOffset + 16), b) });
    // The loader checks R_X86_64_32 and 32S for overflow, never PC32 or PLT32 (arch/x86/kernel/module.c);
    // + 2^40 cannot fit 32 bits from any kernel or module address (+ 2^31 can, wrapping around).
    if (r.type === 10 || r.type === 11) addend(r.addend + (1n << 40n), ' (+2^40)');
    if ((r.type === 2 || r.type === 4) && f.quiet(r)) addend(r.addend + (1n << 31n), ' (+2^31)');
    if (f.quiet(r)) {
      if (r.type !== 11 && r.type !== 0) type(11);
      type(0);
      addend(r.addend + 1n, ' (+1)');
      addend(r.addend + 0x1000n, ' (+0x1000)');
      if (r.addend !== 0n) addend(0n, ' (0)');
      out.push({ family: 'reloc-symbol', what: `${where(r)} against symbol 0 (STN_UNDEF)`, make: (b) => (b.writeUInt32LE(0, r.fileOffset + 12), b) });
    }
  }
  return out;
}

function symbolChanges(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  const shnum = f.elf.header.shnum;
  for (const s of f.symbols.slice(1)) {
    if (s.type === STT.SECTION || s.type === STT.FILE) continue;
    const at = symAt(f, s.index);
    const refs = f.referencedBy.get(s.index) ?? [];
    const onlyNarrow = refs.every((r) => r.type === 2 || r.type === 4 || r.type === 11 || r.type === 10);
    const quiet = refs.every((r) => f.quiet(r));
    const c = (family: string, what: string, make: (b: Buffer) => Buffer) => out.push({ family, what: `symbol ${s.name} (${s.index}): ${what}`, make });
    const info = (bind: number, type: number) => write(at + 4, 1, BigInt((bind << 4) | type));
    for (const bind of [STB.LOCAL, STB.GLOBAL, STB.WEAK]) if (bind !== s.bind) c('symbol-binding', `binding ${s.bind} made ${bind}`, info(bind, s.type));
    for (const type of [STT.NOTYPE, STT.OBJECT, STT.FUNC, STT.TLS]) if (type !== s.type) c('symbol-type', `type ${s.type} made ${type}`, info(s.bind, type));
    if (s.shndx === SHN.UNDEF) {
      c('undefined-symbol', `renamed ${s.name}_lens (defined nowhere)`, (b) => renameSymbol(b, f, s.index, `${s.name}_lens`));
      for (const other of ['kallsyms_lookup_name', 'cmdline_proc_show', 'klp_enable_patch', '_printk', 'saved_command_line'])
        if (other !== s.name) c('undefined-symbol', `renamed ${other}`, (b) => renameSymbol(b, f, s.index, other));
      c('undefined-symbol', 'made WEAK and renamed (unresolved weak)', (b) => renameSymbol(info(STB.WEAK, s.type)(b), f, s.index, `${s.name}_lens`));
      continue;
    }
    c('symbol-section', `st_shndx ${shnum + 3} (past the last section)`, write(at + 6, 2, BigInt(shnum + 3)));
    c('symbol-section', 'st_shndx SHN_COMMON', write(at + 6, 2, BigInt(SHN.COMMON)));
    if (!refs.length || quiet) {
      c('symbol-section', 'st_shndx SHN_ABS', write(at + 6, 2, BigInt(SHN.ABS)));
      c('symbol-section', 'st_shndx SHN_LIVEPATCH', write(at + 6, 2, BigInt(SHN.LIVEPATCH)));
      c('symbol-value', 'st_value 0x1000000', write(at + 8, 8, 0x1000000n));
      c(
        'duplicate-symbol',
        `a second GLOBAL ${s.name}`,
        (b) => addSymbol(b, { name: s.name, info: (STB.GLOBAL << 4) | s.type, shndx: s.shndx, value: s.value, size: s.size }).bytes,
      );
    }
    if (onlyNarrow && refs.length) c('symbol-value', 'st_value 2^40 (its 32-bit relocations overflow)', write(at + 8, 8, 1n << 40n));
    if (s.bind !== STB.LOCAL)
      c('duplicate-symbol', `renamed ${['init_module', 'cleanup_module'].includes(s.name) ? '__this_module' : 'init_module'} (another global's name)`, (b) =>
        renameSymbol(b, f, s.index, s.name === 'init_module' || s.name === 'cleanup_module' ? '__this_module' : 'init_module'),
      );
  }
  const extra = (family: string, name: string, bind: number, what: string): Candidate => ({
    family,
    what,
    make: (b) => addSymbol(b, { name, info: bind << 4, shndx: SHN.UNDEF }).bytes,
  });
  out.push(
    extra('undefined-symbol', 'lens_missing', STB.GLOBAL, 'an extra GLOBAL undefined symbol lens_missing'),
    extra('undefined-symbol', 'lens_missing', STB.WEAK, 'an extra WEAK undefined symbol lens_missing'),
    extra('undefined-symbol', '_GLOBAL_OFFSET_TABLE_', STB.GLOBAL, 'an extra GLOBAL undefined symbol _GLOBAL_OFFSET_TABLE_'),
    extra('duplicate-symbol', 'klp_enable_patch', STB.GLOBAL, 'an extra GLOBAL undefined klp_enable_patch'),
  );
  return out;
}

/** Points symbol `index` at a new name appended to .strtab. */
function renameSymbol(b: Buffer, f: ModuleFacts, index: number, name: string): Buffer {
  const strtab = f.elf.sections[f.symtab.link];
  const header = shdr(b, strtab.index);
  const offset = Number(b.readBigUInt64LE(header + 24));
  const size = Number(b.readBigUInt64LE(header + 32));
  const start = Math.ceil(b.length / 8) * 8;
  const grown = Buffer.alloc(start + size + name.length + 1);
  b.copy(grown);
  b.copy(grown, start, offset, offset + size);
  grown.write(`${name}\0`, start + size, 'latin1');
  grown.writeBigUInt64LE(BigInt(start), header + 24);
  grown.writeBigUInt64LE(BigInt(size + name.length + 1), header + 32);
  grown.writeUInt32LE(size, symAt(f, index));
  return grown;
}

function modinfoChanges(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  const c = (what: string, make: (b: Buffer) => Buffer) => out.push({ family: 'modinfo', what, make });
  const put = (at: number, text: string, room: number) => (b: Buffer) => (Buffer.from(text.padEnd(room, '\0'), 'latin1').copy(b, at), b);
  for (const field of f.modinfo) {
    c(`.modinfo ${field.key} key renamed ${field.key.slice(0, -1)}X (the field is gone)`, put(field.keyOffset + field.key.length - 1, 'X', 1));
    if (field.value.length) c(`.modinfo ${field.key}= empty`, put(field.valueOffset, '', field.value.length));
  }
  const field = (key: string) => f.modinfo.find((m) => m.key === key);
  const vermagic = field('vermagic');
  if (vermagic) {
    const v = vermagic.value;
    c(`.modinfo vermagic release 56 made 57`, put(vermagic.valueOffset, v.replace('-56-', '-57-'), v.length));
    c(`.modinfo vermagic 'SMP preempt' made 'SMP preemX'`, put(vermagic.valueOffset, v.replace('preempt', 'preemX'), v.length));
    c(`.modinfo vermagic without ' modversions'`, put(vermagic.valueOffset, v.replace(' modversions', ''), v.length));
    c(`.modinfo vermagic its release only`, put(vermagic.valueOffset, v.split(' ')[0], v.length));
  }
  const livepatch = field('livepatch');
  if (livepatch) {
    c('.modinfo livepatch=N', put(livepatch.valueOffset, 'N', 1));
    c('.modinfo livepatch=y', put(livepatch.valueOffset, 'y', 1));
  }
  const name = field('name');
  if (name) {
    c(`.modinfo name ${name.value.slice(0, -1)} (one letter shorter)`, put(name.valueOffset, name.value.slice(0, -1), name.value.length));
    c('.modinfo name x', put(name.valueOffset, 'x', name.value.length));
    c(`.modinfo name with a dash`, put(name.valueOffset, name.value.replace('_', '-'), name.value.length));
  }
  const license = field('license');
  if (license) c('.modinfo license=G (not GPL)', put(license.valueOffset, 'G', license.value.length));
  const section = f.elf.section('.modinfo');
  if (section) {
    const grow = (text: string) => (b: Buffer) => growModinfo(b, section.index, text);
    for (const extra of [
      'livepatch=Y',
      'intree=Y',
      'staging=Y',
      'test=Y',
      'license=Proprietary',
      'depends=lens_nosuch',
      'vermagic=6.1.0-57-amd64 SMP preempt mod_unload modversions ',
      'name=lens_renamed',
    ])
      c(`.modinfo ${extra} added at its end`, grow(extra));
    c('.modinfo last NUL made X', write(Number(section.offset + section.size) - 1, 1, 0x58n));
  }
  return out;
}

/** .modinfo copied to the end of the file with one more `key=value`. */
function growModinfo(b: Buffer, index: number, text: string): Buffer {
  const header = shdr(b, index);
  const offset = Number(b.readBigUInt64LE(header + 24));
  const size = Number(b.readBigUInt64LE(header + 32));
  const grown = Buffer.alloc(b.length + size + text.length + 1);
  b.copy(grown);
  b.copy(grown, b.length, offset, offset + size);
  grown.write(`${text}\0`, b.length + size, 'latin1');
  grown.writeBigUInt64LE(BigInt(b.length), header + 24);
  grown.writeBigUInt64LE(BigInt(size + text.length + 1), header + 32);
  return grown;
}

function thisModule(f: ModuleFacts): Candidate[] {
  const s = f.elf.section('.gnu.linkonce.this_module');
  if (!s) return [];
  // struct module: state (4), padding, list_head (16), then char name[56].
  const name = Number(s.offset) + 24;
  return [
    { family: 'this-module', what: 'struct module name made lens_other', make: (b) => (b.write('lens_other\0', name, 'latin1'), b) },
    { family: 'this-module', what: 'struct module name made lens_other, .modinfo name gone', make: (b) => (b.write('lens_other\0', name, 'latin1'), modinfoKeyGone(f, 'name', b)) },
    { family: 'this-module', what: '.gnu.linkonce.this_module renamed .gnu.linkonce.this_modulX', make: (b) => renameInShstrtab(f, b, '.gnu.linkonce.this_module') },
    { family: 'this-module', what: 'struct module name of 56 letters (no NUL)', make: (b) => (b.write('m'.repeat(56), name, 'latin1'), b) },
  ];
}

function modinfoKeyGone(f: ModuleFacts, key: string, b: Buffer): Buffer {
  const field = f.modinfo.find((m) => m.key === key);
  if (field) b[field.keyOffset + key.length - 1] = 0x58;
  return b;
}

/** The last letter of a section's name made X, when no other name shares its bytes. */
function renameInShstrtab(f: ModuleFacts, b: Buffer, section: string): Buffer {
  const s = f.elf.section(section);
  if (!s) return b;
  const table = f.elf.sections[f.elf.header.shstrndx];
  const nameAt = b.readUInt32LE(shdr(b, s.index));
  b[Number(table.offset) + nameAt + section.length - 1] = 0x58;
  return b;
}

function buildIdNotes(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  for (const name of ['.note.gnu.build-id', '.note.Linux']) {
    const s = f.elf.section(name);
    if (!s) continue;
    const at = Number(s.offset);
    const c = (what: string, make: (b: Buffer) => Buffer) => out.push({ family: 'build-id', what: `${name}: ${what}`, make });
    c('last byte of the descriptor flipped', (b) => ((b[at + Number(s.size) - 1] ^= 0xff), b));
    c('n_type 4', write(at + 8, 4, 4n));
    c('n_namesz 0x100 (past the section)', write(at, 4, 0x100n));
    c('n_descsz 0', write(at + 4, 4, 0n));
    c('renamed (last letter X)', (b) => renameInShstrtab(f, b, name));
  }
  return out;
}

/** klp_func / klp_object / klp_patch fields, found through the decoded klp_patch graph. */
function klpStructs(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  const patch = f.patch;
  if (!patch) return out;
  const c = (family: string, what: string, make: (b: Buffer) => Buffer) => out.push({ family, what, make });
  for (const obj of patch.objects) {
    const array = f.symbols.find((s) => s.name === obj.funcsAt);
    const section = array && f.elf.sections[array.shndx];
    if (!section) continue;
    for (const func of obj.funcs) {
      const at = Number(section.offset + func.offset);
      const label = `klp_func ${func.oldName ?? func.index} of object ${obj.name ?? 'vmlinux'}`;
      for (const sympos of [1n, 2n, 1n << 40n]) c('klp-func', `${label}: old_sympos ${sympos}`, write(at + 16, 8, sympos));
      const reloc = (field: number) => f.relocations.find((r) => r.target.index === section.index && r.offset === func.offset + BigInt(field));
      const oldName = reloc(0);
      if (oldName) {
        c('klp-func', `${label}: old_name one byte further (addend +1)`, (b) => (b.writeBigInt64LE(oldName.addend + 1n, oldName.fileOffset + 16), b));
        c('klp-func', `${label}: old_name NULL (its relocation made R_X86_64_NONE)`, write(oldName.fileOffset + 8, 4, 0n));
      }
      const newFunc = reloc(8);
      if (newFunc) c('klp-func', `${label}: new_func NULL (its relocation made R_X86_64_NONE)`, write(newFunc.fileOffset + 8, 4, 0n));
      if (func.oldName) {
        const strings = f.elf.section('.rodata.str1.1');
        const index = strings ? f.elf.sectionData(strings).indexOf(Buffer.from(`${func.oldName}\0`, 'latin1')) : -1;
        if (strings && index >= 0) c('klp-func', `${label}: old_name string's last letter made X`, write(Number(strings.offset) + index + func.oldName.length - 1, 1, 0x58n));
      }
    }
    const last = obj.funcs.at(-1);
    if (last && obj.funcsTerminated) {
      const sentinel = Number(section.offset + last.offset) + funcSize(f);
      out.push({
        family: 'klp-sentinel',
        what: `object ${obj.name ?? 'vmlinux'}: the { } after its last klp_func given old_sympos 1`,
        make: write(sentinel + 16, 8, 1n),
        risky: true,
      });
    }
  }
  return out;
}

function funcSize(f: ModuleFacts): number {
  const funcs = f.patch?.objects.flatMap((o) => o.funcs) ?? [];
  return funcs.length > 1 ? Number(funcs[1].offset - funcs[0].offset) : 152;
}

/**
 * `.klp.rela.<object>.<section>` sections and `.klp.sym.<object>.<symbol>,<pos>` symbols, as
 * klp-convert makes them: one R_X86_64_64 into a new 16-byte `.data.lens` section, so the value
 * lands where nothing reads it.
 */
function klpSections(f: ModuleFacts): Candidate[] {
  const out: Candidate[] = [];
  const object = f.patch?.objects.find((o) => o.name === null) ? 'vmlinux' : (f.patch?.objects[0]?.name ?? 'vmlinux');
  const add = (what: string, o: { section?: string; flags?: bigint; symbol?: string; shndx?: number; type?: number }) =>
    out.push({
      family: 'klp-section',
      what,
      make: (b) => {
        const data = addSection(b, { name: '.data.lens', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.alloc(16) });
        const sym = addSymbol(data.bytes, { name: o.symbol ?? `.klp.sym.${object}.cmdline_proc_show,0`, info: (STB.GLOBAL << 4) | STT.FUNC, shndx: o.shndx ?? SHN.LIVEPATCH });
        return addSection(sym.bytes, {
          name: o.section ?? `.klp.rela.${object}.data.lens`,
          type: SHT.RELA,
          flags: o.flags ?? SHF.ALLOC | SHF_RELA_LIVEPATCH | SHF.INFO_LINK,
          data: rela(0n, sym.index, o.type ?? 1, 0n),
          link: f.symtab.index,
          info: data.index,
          entsize: 24n,
        }).bytes;
      },
    });
  add(`.klp.rela.${object}.data.lens against .klp.sym.${object}.cmdline_proc_show,0`, {});
  add('.klp.sym.vmlinux.saved_command_line,0', { symbol: `.klp.sym.${object}.saved_command_line,0` });
  add('.klp.sym naming lens_nosuch', { symbol: `.klp.sym.${object}.lens_nosuch,0` });
  add('.klp.sym with sympos 2 (the symbol is unique)', { symbol: `.klp.sym.${object}.cmdline_proc_show,2` });
  add('.klp.sym without ",pos"', { symbol: `.klp.sym.${object}.cmdline_proc_show` });
  add('.klp.sym not in SHN_LIVEPATCH (st_shndx SHN_UNDEF)', { shndx: SHN.UNDEF, symbol: `.klp.sym.${object}.cmdline_proc_show,0` });
  add('.klp.rela section named .klp.relaXvmlinux (unparsable)', { section: '.klp.relaXvmlinux' });
  add('.klp.rela section without SHF_RELA_LIVEPATCH', { flags: SHF.ALLOC | SHF.INFO_LINK });
  add('.klp.rela for object lens_notloaded', { section: '.klp.rela.lens_notloaded.data.lens', symbol: '.klp.sym.lens_notloaded.lens_fn,0' });
  add(`.klp.rela with ${relName(42)}`, { type: 42 });
  add(`.klp.rela with ${relName(2)} (a 4-byte PC-relative value)`, { type: 2 });
  if (object !== 'vmlinux') add('.klp.rela of a module object against a vmlinux .klp.sym', { symbol: '.klp.sym.vmlinux.cmdline_proc_show,0' });
  return out;
}

/** Every candidate change of a base module, family by family, in a fixed order. */
export function linuxCandidates(f: ModuleFacts): Candidate[] {
  return [elfHeader, sectionChanges, relocations, symbolChanges, modinfoChanges, thisModule, buildIdNotes, klpStructs, klpSections].flatMap((m) => m(f));
}
