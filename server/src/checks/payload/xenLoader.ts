import { decodeSectionHeader, ElfSection } from '../../elf';
import { altInstrSize } from '../../payload';
import type { XenErrno, XenLoaderEnv } from './context';

/**
 * Xen 4.17's load_payload_data() walked over the payload's bytes in its own order, with its own
 * bounds: livepatch_elf_load() (header, sections, names, symbols), move_payload() (the RX/RW/RO
 * layout), livepatch_elf_resolve_symbols(), livepatch_elf_perform_relocs() with x86's
 * arch_livepatch_perform_rela(), check_special_sections(), check_patching_sections(),
 * prepare_payload() (the funcs, hooks, build-id notes, tables, .modinfo), xen_build_id_dep() and
 * build_symbol_table(). The first step that fails decides, as in Xen: its errno, and the console
 * line Xen prints for it (none where Xen says nothing). The project's ELF reader is not used:
 * Xen accepts files it would refuse and refuses files it would read.
 *
 * Judged against the real hypervisor by the differential (docs/differential.md); the lines are
 * Debian's 4.17.7's.
 */

export interface XenLoaderVerdict {
  /** refused: Xen returns errno; crashes: Xen follows a pointer it never checked and takes a fatal fault. */
  kind: 'refused' | 'crashes';
  errno?: XenErrno;
  /** What Xen prints, without its `livepatch: <name>: ` prefix; none when it says nothing. */
  line?: string;
  /** Our words for the step that failed. */
  why: string;
}

class Refusal extends Error {
  constructor(readonly verdict: XenLoaderVerdict) {
    super(verdict.why);
  }
}

const refuse = (errno: XenErrno, why: string, line?: string): never => {
  throw new Refusal({ kind: 'refused', errno, why, ...(line ? { line } : {}) });
};
const crashes = (why: string): never => {
  throw new Refusal({ kind: 'crashes', why });
};

const PAGE = 4096n;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHF_WRITE = 1n;
const SHF_ALLOC = 2n;
const SHF_EXECINSTR = 4n;
const SHF_MERGE = 0x10n;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;
const LIVEPATCH_MAX_SIZE = 2n << 20n;
const FUNC_SIZE = 104;
const U64 = (1n << 64n) - 1n;

interface Section extends ElfSection {
  nameOffset: number;
  /** move_payload()'s copy (what relocation writes), and where it is; undefined when ignored or empty. */
  data?: Buffer;
  load?: bigint;
}

interface Symbol {
  name: string;
  info: number;
  shndx: number;
  value: bigint;
}

const cString = (bytes: Buffer, start: number, end: number): string => {
  const nul = bytes.indexOf(0, start);
  return bytes.toString('latin1', start, nul < 0 || nul > end ? end : nul);
};

/** ROUNDUP(x, a) as Xen's macro computes it, for any a (a mask, so not only powers of two). */
const roundUp = (x: bigint, a: bigint): bigint => (x + a - 1n) & ~(a - 1n) & U64;

/** Xen's verdict on the payload `bytes`: undefined when it accepts. */
export function xenLoaderVerdict(bytes: Buffer, env: XenLoaderEnv): XenLoaderVerdict | undefined {
  try {
    load(bytes, env);
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return error.verdict;
    // A read past what the model holds: Xen has checked every bound it reads, so this is ours.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function load(bytes: Buffer, env: XenLoaderEnv): void {
  const len = BigInt(bytes.length);
  // Xen's own table (tools/symbols) has no compiler-local names like `__func__.1` or `.LC0`: the
  // image's ELF symbols do, so they are not looked up.
  const known = (n: string): bigint | undefined => (n.includes('.') ? undefined : env.lookup!(n));
  const resolve = (n: string): bigint | undefined => (env.lookup ? known(n) : env.base);
  const clashes = (n: string): boolean => env.lookup !== undefined && known(n) !== undefined;
  // verify_payload(): the hypercall takes no empty payload.
  if (bytes.length === 0) refuse('EINVAL', 'the payload is empty');
  // livepatch_header_check()
  if (bytes.length < 64) refuse('EINVAL', 'the file is smaller than an ELF header', 'Section header is bigger than payload');
  if (bytes.readUInt32BE(0) !== 0x7f454c46) refuse('EINVAL', 'no ELF magic', 'Not an ELF payload');
  const osabi = bytes[7];
  if (bytes.readUInt32LE(20) !== 1 || bytes[6] !== 1 || bytes[8] !== 0 || (osabi !== 0 && osabi !== 9) || bytes.readUInt16LE(16) !== 1 || bytes.readUInt16LE(56) !== 0)
    refuse('EOPNOTSUPP', 'e_version, EI_VERSION, EI_ABIVERSION, EI_OSABI, e_type (ET_REL) or e_phnum (0) is not what a payload has', 'Invalid ELF payload');
  if (bytes.readUInt16LE(18) !== 62 || bytes[4] !== 2 || bytes[5] !== 1) refuse('EOPNOTSUPP', 'not ELFCLASS64 little-endian x86-64', 'Unsupported ELF Machine type');
  const shoff = bytes.readBigUInt64LE(40);
  const shentsize = bytes.readUInt16LE(58);
  const shnum = bytes.readUInt16LE(60);
  const shstrndx = bytes.readUInt16LE(62);
  if (shstrndx === 0) refuse('EINVAL', 'e_shstrndx is 0', 'Section name idx is undefined!?');
  if (shnum >= 1024) refuse('EOPNOTSUPP', `${shnum} sections`, `Too many (${shnum}) sections`);
  if (shstrndx >= shnum) refuse('EINVAL', `e_shstrndx ${shstrndx} is not below e_shnum ${shnum}`, `Section name idx (${shstrndx}) is past end of sections (${shnum})!`);
  if (shoff >= len) refuse('EINVAL', 'e_shoff is past the end of the file', 'Bogus e_shoff');
  if (shentsize < 64) refuse('EINVAL', `e_shentsize ${shentsize}`, `Section header size is ${shentsize}! Expected 64.`);
  if ((len - shoff) / BigInt(shentsize) < BigInt(shnum)) refuse('EINVAL', 'the section headers run past the end of the file', 'Section header size is corrupted');

  // elf_resolve_sections()
  const sections: Section[] = [];
  let symtab: Section | undefined;
  for (let i = 0; i < shnum; i++) {
    const { section, nameOffset } = decodeSectionHeader(bytes, Number(shoff) + i * shentsize, i);
    const s: Section = { ...section, nameOffset };
    sections.push(s);
    if (i === 0) continue;
    if (s.offset < 64n || (s.type !== SHT_NOBITS && (s.offset > len || s.offset + s.size > len)))
      refuse('EINVAL', `section [${i}]'s data is outside the file`, `Section [${i}] data ${s.offset < 64n ? 'at ELF header' : 'is past end'} of payload`);
    if (s.addralign & (s.addralign - 1n))
      refuse('EOPNOTSUPP', `section [${i}]'s alignment ${s.addralign} is not a power of two`, `Section [${i}] alignment (0x${s.addralign.toString(16)}) is not supported`);
    if (s.flags & (SHF_WRITE | SHF_ALLOC) && s.type === SHT_NOBITS && s.size > LIVEPATCH_MAX_SIZE)
      refuse('EINVAL', `section [${i}] is SHT_NOBITS of ${s.size} bytes, over LIVEPATCH_MAX_SIZE`);
    if (s.type === SHT_SYMTAB) {
      if (symtab) refuse('EOPNOTSUPP', 'two symbol tables', 'Unsupported multiple symbol tables');
      symtab = s;
      if (s.link >= shnum) refuse('EINVAL', `the symbol table's sh_link ${s.link} is past the sections`, `Symbol table idx (${s.link}) to strtab past end (${shnum})`);
    }
  }
  if (!symtab) return refuse('EINVAL', 'no symbol table', 'No symbol table found');
  if (symtab.size === 0n || symtab.entsize < 24n || symtab.size % symtab.entsize)
    refuse('EINVAL', "the symbol table's size or entry size is wrong", 'Symbol table header is corrupted');
  if (symtab.link === 0) crashes("the symbol table's sh_link is 0, and Xen reads the header of section 0, which it never set up");
  const strtab = sections[symtab.link];
  if (!validStrtab(bytes, strtab)) refuse('EINVAL', "the symbol table's string table is not one", 'String table section is corrupted');

  // elf_resolve_section_names()
  const shstrtab = sections[shstrndx];
  if (!validStrtab(bytes, shstrtab)) refuse('EINVAL', 'the section-name table is not a string table', 'Section string table is corrupted');
  for (const s of sections.slice(1)) {
    if (BigInt(s.nameOffset) >= shstrtab.size) refuse('EINVAL', `section ${s.index}'s name is outside .shstrtab`, `Section ${s.index} name is not within .shstrtab`);
    s.name = cString(bytes, Number(shstrtab.offset) + s.nameOffset, Number(shstrtab.offset + shstrtab.size));
  }

  // elf_get_sym()
  const nsym = Number(symtab.size / symtab.entsize);
  const symbols: Symbol[] = [{ name: '', info: 0, shndx: 0, value: 0n }];
  for (let i = 1; i < nsym; i++) {
    const at = Number(symtab.offset + BigInt(i) * symtab.entsize);
    const nameOffset = bytes.readUInt32LE(at);
    if (BigInt(nameOffset) >= strtab.size) refuse('EINVAL', `symbol ${i}'s name is outside .strtab`, `Symbol [${i}] name is not within .strtab`);
    symbols.push({
      name: cString(bytes, Number(strtab.offset) + nameOffset, Number(strtab.offset + strtab.size)),
      info: bytes[at + 4],
      shndx: bytes.readUInt16LE(at + 6),
      value: bytes.readBigUInt64LE(at + 8),
    });
  }

  // move_payload()
  const sizes: Record<Region, bigint> = { text: 0n, rw: 0n, ro: 0n };
  const offsets = new Map<number, { region: Region; offset: bigint }>();
  for (const s of sections.slice(1)) {
    if (!(s.flags & SHF_ALLOC)) continue;
    const x = (s.flags & SHF_EXECINSTR) !== 0n;
    const w = (s.flags & SHF_WRITE) !== 0n;
    if (x && w) refuse('EOPNOTSUPP', `${s.name} is writable and executable`);
    const region = x ? 'text' : w ? 'rw' : 'ro';
    const offset = roundUp(sizes[region], s.addralign);
    offsets.set(s.index, { region, offset });
    sizes[region] = (offset + s.size) & U64;
  }
  const total = roundUp(sizes.text, PAGE) + roundUp(sizes.rw, PAGE) + sizes.ro;
  // The model holds the pages itself, so it stops at 64 MiB where vmalloc_xen() may go further: a
  // payload file is at most 2 MiB and each .bss too, so only a crafted one gets there (the real
  // refusal seen: an alignment of 2^40).
  if (total > 1n << 26n) refuse('ENOMEM', `the payload's sections add up to ${total} bytes`, 'Could not allocate memory for payload');
  const images: Record<Region, Buffer> = { text: Buffer.alloc(Number(sizes.text)), rw: Buffer.alloc(Number(sizes.rw)), ro: Buffer.alloc(Number(sizes.ro)) };
  const regionBase: Record<Region, bigint> = { text: env.base, rw: env.base + roundUp(sizes.text, PAGE), ro: env.base + roundUp(sizes.text, PAGE) + roundUp(sizes.rw, PAGE) };
  // An empty section has its place in the layout but no load address (NULL): Xen copies nothing for it.
  for (const s of sections.slice(1)) {
    const placed = offsets.get(s.index);
    if (!placed || s.size === 0n) continue;
    s.load = regionBase[placed.region] + placed.offset;
    // A view of its region: sections Xen lays over each other (an alignment of 0) overwrite, in order.
    s.data = images[placed.region].subarray(Number(placed.offset), Number(placed.offset + s.size));
    if (s.type === SHT_NOBITS) s.data.fill(0);
    else bytes.copy(s.data, 0, Number(s.offset), Number(s.offset + s.size));
  }

  // livepatch_elf_resolve_symbols()
  for (const [i, sym] of symbols.entries()) {
    if (i === 0) continue;
    if (sym.shndx === SHN_COMMON) refuse('EINVAL', `${sym.name} is a common symbol`, `Unexpected common symbol: ${sym.name}`);
    else if (sym.shndx === SHN_UNDEF) {
      const value = resolve(sym.name);
      if (!value)
        refuse('ENOENT', `${sym.name || 'a symbol without a name'} is undefined and neither the hypervisor nor a loaded payload defines it`, `Unknown symbol: ${sym.name}`);
      sym.value = value!;
    } else if (sym.shndx !== SHN_ABS) {
      if (sym.shndx >= SHN_LORESERVE || sym.shndx >= shnum)
        refuse(
          sym.shndx >= SHN_LORESERVE ? 'EOPNOTSUPP' : 'EINVAL',
          `${sym.name || `symbol ${i}`} names section ${sym.shndx}`,
          `Out of bounds symbol section 0x${sym.shndx.toString(16)}`,
        );
      const s = sections[sym.shndx];
      if (!ignored(s)) sym.value = (sym.value + (s.load ?? 0n)) & U64;
    }
  }

  // livepatch_elf_perform_relocs()
  for (const r of sections.slice(1)) {
    if (r.type !== SHT_RELA && r.type !== SHT_REL) continue;
    if (r.info >= shnum) continue;
    // Xen never fills in its entry for section 0 (elf_resolve_sections starts at 1) and reads it here.
    if (r.info === 0) crashes(`${r.name}'s sh_info is 0, and Xen reads the header of section 0, which it never set up`);
    const base = sections[r.info];
    if (!(base.flags & SHF_ALLOC)) continue;
    if (r.link !== symtab.index) refuse('EINVAL', `${r.name} links symbol table ${r.link}`, `Relative link of ${r.name} is incorrect (${r.link}, expected=${symtab.index})`);
    if (r.size === 0n) continue;
    if (r.entsize < (r.type === SHT_RELA ? 24n : 16n) || r.size % r.entsize) refuse('EINVAL', `${r.name}'s entry size or size is wrong`, 'Section relative header is corrupted');
    if (r.type === SHT_REL) refuse('EOPNOTSUPP', `${r.name} is SHT_REL`, 'SHT_REL relocation unsupported');
    performRela(bytes, r, base, symbols, sections);
  }

  // check_special_sections()
  const byName = (n: string): Section | undefined => sections.slice(1).find((s) => s.name === n);
  for (const special of ['.livepatch.depends', '.livepatch.xen_depends', '.note.gnu.build-id']) {
    const s = byName(special);
    if (!s) refuse('EINVAL', `no ${special}`, `${special} is missing`);
    if (s!.size === 0n) refuse('EINVAL', `${special} is empty`, `${special} is empty`);
  }
  // check_patching_sections()
  const patching = ['.livepatch.funcs', ...['load', 'unload', 'preapply', 'apply', 'postapply', 'prerevert', 'revert', 'postrevert'].map((h) => `.livepatch.hooks.${h}`)];
  let found = false;
  for (const p of patching) {
    const s = byName(p);
    if (!s) continue;
    if (s.size === 0n) refuse('EINVAL', `${p} is empty`, `${p} is empty`);
    found = true;
  }
  if (!found) refuse('EINVAL', 'no .livepatch.funcs and no hook section', 'Nothing to patch. Aborting...');

  // prepare_payload()
  const sectionOk = (s: Section, size: bigint): void => {
    if (s.size % size) refuse('EINVAL', `${s.name} is ${s.size} bytes, not a multiple of ${size}`, `Wrong size ${s.size} of ${s.name} (must be multiple of ${size})`);
  };
  const funcsSection = byName('.livepatch.funcs');
  const funcs: { newAddr: bigint }[] = [];
  if (funcsSection) {
    sectionOk(funcsSection, BigInt(FUNC_SIZE));
    if (!funcsSection.data) crashes('.livepatch.funcs is not SHF_ALLOC, so it is not loaded, and Xen reads the functions from the address it was not given');
    for (let i = 0; i * FUNC_SIZE < Number(funcsSection.size); i++) {
      const f = funcsSection.data!.subarray(i * FUNC_SIZE, (i + 1) * FUNC_SIZE);
      const namePtr = f.readBigUInt64LE(0);
      const newAddr = f.readBigUInt64LE(8);
      let oldAddr = f.readBigUInt64LE(16);
      const newSize = f.readUInt32LE(24);
      const oldSize = f.readUInt32LE(28);
      funcs.push({ newAddr });
      if (f[32] !== 2) refuse('EOPNOTSUPP', `funcs[${i}].version is ${f[32]}`, `Wrong version (${f[32]}). Expected 2`);
      if (oldSize === 0) refuse('EINVAL', `funcs[${i}].old_size is 0`, 'Address or size fields are zero');
      if (newAddr === 0n) {
        if (newSize > 31) refuse('EOPNOTSUPP', `funcs[${i}] NOPs out ${newSize} bytes, more than 31`);
        if (oldSize < newSize) refuse('EINVAL', `funcs[${i}] NOPs out ${newSize} bytes of a ${oldSize}-byte function`);
      } else if (oldSize < 5) refuse('EINVAL', `funcs[${i}].old_size ${oldSize} is less than the 5-byte jump`);
      if (oldAddr === 0n) {
        const fname = readPayloadString(images, regionBase, namePtr) ?? crashes(`funcs[${i}].name points outside the payload, and Xen reads it to resolve old_addr 0`);
        oldAddr = resolve(fname) ?? refuse('ENOENT', `funcs[${i}]: nothing is named ${fname}`, `Could not resolve old address of ${fname}`);
      }
      if (newAddr !== 0n) {
        const distance = BigInt.asIntN(64, oldAddr - newAddr);
        if (distance < -(1n << 31n) || distance >= 1n << 31n) refuse('EOVERFLOW', `funcs[${i}]'s replacement is more than 2 GiB from the old function`);
      }
    }
  }
  const hooks: Array<[string, 'multi' | 'single']> = [
    ['load', 'multi'],
    ['unload', 'multi'],
    ['preapply', 'single'],
    ['apply', 'single'],
    ['postapply', 'single'],
    ['prerevert', 'single'],
    ['revert', 'single'],
    ['postrevert', 'single'],
  ];
  for (const [hook, kind] of hooks) {
    const s = byName(`.livepatch.hooks.${hook}`);
    if (!s) continue;
    sectionOk(s, 8n);
    if (kind === 'single' && s.size !== 8n) refuse('EINVAL', `${s.name} holds ${s.size / 8n} pointers, not one`);
  }
  // A build-id a loaded payload has is -EEXIST here too, silently: the emulator's upload knows them, and checks it after.
  noteId(byName('.note.gnu.build-id'));
  noteId(byName('.livepatch.depends'));
  const xenDepends = noteId(byName('.livepatch.xen_depends'));
  for (let i = 0; i < 4; i++) {
    const s = byName(`.bug_frames.${i}`);
    if (s) sectionOk(s, 8n);
  }
  // Both tables are walked at upload (apply_alternatives, sort_exception_table): unloaded, at NULL.
  for (const [table, size] of [
    ['.altinstructions', BigInt(altInstrSize)],
    ['.ex_table', 8n],
  ] as const) {
    const s = byName(table);
    if (!s) continue;
    sectionOk(s, size);
    if (!s.data && s.size > 0n) crashes(`${table} is not SHF_ALLOC, so it is not loaded, and Xen walks it from the address it was not given`);
  }
  const modinfo = byName('.modinfo');
  if (modinfo) {
    // Its data is loaded only when it has a size: an empty .modinfo is read at NULL - 1.
    if (!modinfo.data) crashes('.modinfo is empty, and Xen reads its last byte from the address it was not given');
    if (modinfo.data![modinfo.data!.length - 1] !== 0) refuse('EINVAL', ".modinfo's last byte is not NUL", 'Incorrect metadata format detected');
  }

  // xen_build_id_dep()
  if (env.buildId && xenDepends !== env.buildId)
    refuse('EINVAL', `.livepatch.xen_depends names ${xenDepends}, the hypervisor is ${env.buildId}`, 'check against hypervisor build-id failed');

  // build_symbol_table()
  for (const sym of symbols.slice(1)) {
    if (sym.shndx === SHN_UNDEF || sym.shndx >= shnum) continue;
    const s = sections[sym.shndx];
    if (!(s.flags & SHF_ALLOC) || sym.name === '' || (s.flags & SHF_MERGE && sym.name.startsWith('.L'))) continue;
    if (funcs.some((f) => f.newAddr === sym.value)) continue;
    if (clashes(sym.name)) refuse('EEXIST', `the payload's ${sym.name} is a name the hypervisor or a loaded payload has`, `duplicate new symbol: ${sym.name}`);
  }
}

/** What symbol resolution and relocation leave alone: a section that is not SHF_ALLOC. */
const ignored = (s: Section): boolean => !(s.flags & SHF_ALLOC);

/** elf_verify_strtab(). */
function validStrtab(bytes: Buffer, s: Section | undefined): boolean {
  if (!s || s.index === 0 || s.type !== SHT_STRTAB || s.size === 0n) return false;
  return bytes[Number(s.offset)] === 0 && bytes[Number(s.offset + s.size - 1n)] === 0;
}

/** arch_livepatch_perform_rela() of x86. */
function performRela(bytes: Buffer, r: Section, base: Section, symbols: Symbol[], sections: Section[]): void {
  for (let i = 0n; i < r.size / r.entsize; i++) {
    const at = Number(r.offset + i * r.entsize);
    const offset = bytes.readBigUInt64LE(at);
    const info = bytes.readBigUInt64LE(at + 8);
    const addend = bytes.readBigInt64LE(at + 16);
    const symndx = Number(info >> 32n);
    const type = Number(info & 0xffffffffn);
    if (symndx === 0) refuse('EOPNOTSUPP', `a relocation in ${r.name} is against symbol 0`, 'Encountered STN_UNDEF');
    if (symndx >= symbols.length)
      refuse('EINVAL', `a relocation in ${r.name} is against symbol ${symndx}, past the table`, `Relative relocation wants symbol@${symndx} which is past end`);
    const sym = symbols[symndx];
    if (sym.shndx !== SHN_UNDEF && sym.shndx !== SHN_ABS && sym.shndx < sections.length && ignored(sections[sym.shndx]))
      refuse(
        'EINVAL',
        `a relocation in ${r.name} is against ${sym.name || 'a section symbol'} of a section Xen does not load`,
        `Relocation against ignored symbol ${sym.name} cannot be resolved`,
      );
    const value = (BigInt.asUintN(64, addend) + sym.value) & U64;
    const past = (width: bigint): void => {
      if (offset >= base.size || offset + width > base.size)
        refuse('EINVAL', `a relocation in ${r.name} writes past ${base.name}`, `Relative relocation offset is past ${base.name} section`);
    };
    if (type === 0) continue;
    if (type === 1) {
      past(8n);
      base.data!.writeBigUInt64LE(value, Number(offset));
    } else if (type === 2 || type === 4) {
      past(4n);
      const pc = BigInt.asIntN(64, value - (base.load! + offset));
      if (pc !== BigInt.asIntN(32, pc)) refuse('EOVERFLOW', `relocation ${i} of ${r.name} does not fit in 32 bits`, `Overflow in relocation ${i} in ${r.name} for ${base.name}`);
      base.data!.writeInt32LE(Number(BigInt.asIntN(32, pc)), Number(offset));
    } else refuse('EOPNOTSUPP', `a relocation in ${r.name} is of type ${type}`, `Unhandled relocation ${type}`);
  }
}

type Region = 'text' | 'rw' | 'ro';

/**
 * The NUL-terminated string at an address of the loaded payload, read as Xen reads it: across
 * section ends and the zeros between sections, up to the end of the region's pages; undefined when
 * the address or the string's end is outside them.
 */
function readPayloadString(images: Record<Region, Buffer>, bases: Record<Region, bigint>, address: bigint): string | undefined {
  for (const region of ['text', 'rw', 'ro'] as const) {
    const pages = roundUp(BigInt(images[region].length), PAGE);
    if (address < bases[region] || address >= bases[region] + pages) continue;
    const image = Buffer.concat([images[region], Buffer.alloc(Number(pages) - images[region].length)]);
    const start = Number(address - bases[region]);
    const nul = image.indexOf(0, start);
    return nul < 0 ? undefined : image.toString('latin1', start, nul);
  }
  return undefined;
}

/** xen_build_id_check() of a note section Xen has loaded: the build-id, hex; refused as Xen refuses it. */
function noteId(s: Section | undefined): string | undefined {
  if (!s) return undefined;
  if (s.size <= 12n) refuse('EINVAL', `${s.name} is too small for a note`);
  if (!s.data) crashes(`${s.name} is not SHF_ALLOC, so it is not loaded, and Xen reads the note from the address it was not given`);
  const d = s.data!;
  const namesz = d.readUInt32LE(0);
  const descsz = d.readUInt32LE(4);
  const type = d.readUInt32LE(8);
  if (type !== 3) refuse('EINVAL', `${s.name}'s note is of type ${type}, not NT_GNU_BUILD_ID`);
  if (namesz < 4 || BigInt(namesz + descsz) > s.size - 12n) refuse('EINVAL', `${s.name}'s note sizes do not fit the section`);
  if (d.toString('latin1', 12, 12 + Math.min(namesz, 4)) !== 'GNU\0'.slice(0, Math.min(namesz, 4))) refuse('EINVAL', `${s.name}'s note is not a GNU one`);
  if (descsz === 0) refuse('EINVAL', `${s.name}'s build-id is empty`);
  const desc = 12 + ((namesz + 3) & ~3);
  return d.toString('hex', desc, desc + descsz);
}
