import { ElfFile, ElfSection, ElfSymbol, ET, PT, R_X86_64, SHF, SHN, SHT, STB, STT, EM_X86_64 } from '../elf';
import { howToRaise, LimitName, limits, limitSpecs } from '../limits';
import { GuestMemoryError } from './faults';
import { hex } from './addr';
import { Memory, PAGE_SIZE, Perm } from './memory';
import { GuestSymbol, SymbolKind } from './symbols';

/** A problem with an image the loader cannot map or link; names the file and what is wrong. */
export class LoaderError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'LoaderError';
  }
}

export interface LoadedSection {
  /** The section's index in the ELF file it came from. */
  index: number;
  name: string;
  address: bigint;
  size: bigint;
}

export interface LoadedImage {
  name: string;
  /** A live-patch payload (set by the runtime that uploaded it): fault reports name its code `name!function`. */
  payload?: boolean;
  kind: 'executable' | 'object';
  /** Lowest and one-past-highest mapped address. */
  start: bigint;
  end: bigint;
  sections: LoadedSection[];
  /** Symbol-table order (kallsyms order for `sympos`). */
  symbols: GuestSymbol[];
  /** The relocation sections LoadOptions.defer kept back, for applyDeferredRelocations. */
  deferred: DeferredRelocationSection[];
}

export interface LoadOptions {
  /**
   * Relocation sections not applied at load but kept for later, e.g. a livepatch module's
   * `.klp.rela.<obj>.<section>` (module-elf-format.rst), applied when their object is patched.
   * Their symbols may be SHN_LIVEPATCH ones, left for the caller to resolve.
   */
  defer?: (relaSection: { name: string; flags: bigint }) => boolean;
  /**
   * A module loader's own rules instead of these (Linux's: klp/moduleRelocations.ts): its
   * relocation arithmetic and checks; no refusal of a relocation outside its section or of an
   * alignment above a page (the kernel checks neither); an SHN_LIVEPATCH symbol in an ordinary
   * relocation section relocates with its st_value, as simplify_symbols() leaves it.
   */
  rules?: { relocate: Relocate };
}

/** One relocation to apply: S + A, the place P, and where it is for a message. */
export interface RelocationSite {
  type: number;
  value: bigint;
  place: bigint;
  where: string;
}

/** Applies a relocation (throws LoaderError to refuse the object). */
export type Relocate = (memory: Memory, site: RelocationSite) => void;

/** A symbol a deferred relocation refers to, as the object's symbol table has it. */
export interface DeferredSymbol {
  index: number;
  /** The symbol's name; a section symbol's is its section's. */
  name: string;
  shndx: number;
  bind: number;
  type: number;
  /** Its address when the load knew it (defined in the object, or resolved then); undefined for SHN_LIVEPATCH. */
  value?: bigint;
}

export interface DeferredRelocation {
  offset: bigint;
  type: number;
  addend: bigint;
  symbol: DeferredSymbol;
}

/** One SHT_RELA section kept back, decoded: the object's ELF need not stay open. */
export interface DeferredRelocationSection {
  name: string;
  flags: bigint;
  /** The loaded section it patches (sh_info). */
  target: LoadedSection;
  relocations: DeferredRelocation[];
}

/** What the loader needs from the machine. */
export interface LoaderHost {
  readonly memory: Memory;
  /** Reserves `size` bytes of page-aligned address space within reach of the target, for `what`. */
  reserve(size: bigint, what: string): bigint;
  /** A global symbol already known (earlier objects, the target), then a native's stub. */
  resolve(name: string): bigint | undefined;
}

const PF_X = 1n;
const PF_W = 2n;

function alignUp(value: bigint, align: bigint): bigint {
  return align > 1n ? ((value + align - 1n) / align) * align : value;
}

function symbolKind(type: number): SymbolKind {
  return type === STT.FUNC ? 'function' : type === STT.OBJECT ? 'object' : 'other';
}

function checkMachine(elf: ElfFile, name: string, type: number): void {
  if (elf.header.machine !== EM_X86_64) throw new LoaderError(name, `not an x86-64 ELF (e_machine ${elf.header.machine})`);
  if (elf.header.type !== type) {
    throw new LoaderError(name, `expected ${type === ET.EXEC ? 'a linked executable (ET_EXEC)' : 'a relocatable object (ET_REL)'}, found e_type ${elf.header.type}`);
  }
}

/** Maps the PT_LOAD segments of a linked image at their addresses, with their permissions. */
export function loadExecutable(host: LoaderHost, elf: ElfFile, name: string): LoadedImage {
  checkMachine(elf, name, ET.EXEC);
  const loads = elf.segments.filter((s) => s.type === PT.LOAD && s.memsz > 0n);
  if (!loads.length) throw new LoaderError(name, 'no PT_LOAD segments');
  // The page walk below is as long as the segments: bound it by what may be mapped before walking.
  let span = 0n;
  for (const s of loads) {
    if (s.filesz > s.memsz) throw new LoaderError(name, `segment at ${hex(s.vaddr)} has p_filesz > p_memsz`);
    if (s.vaddr + s.memsz > 1n << 64n) throw new LoaderError(name, `segment at ${hex(s.vaddr)} of ${s.memsz} bytes runs past the top of the address space`);
    span += alignUp(s.vaddr + s.memsz, PAGE_SIZE) - (s.vaddr & ~(PAGE_SIZE - 1n));
    if (span > host.memory.available()) throw new GuestMemoryError(`${name} segment at ${hex(s.vaddr)}`, s.memsz, host.memory.available());
  }
  const runs = pageRuns(loads.map((s) => ({ start: s.vaddr & ~(PAGE_SIZE - 1n), end: alignUp(s.vaddr + s.memsz, PAGE_SIZE), perm: segmentPerm(s.flags) })));
  for (const run of runs) host.memory.map(run.start, run.end - run.start, run.perm, `${name} segment`);
  for (const s of loads) {
    if (s.filesz > 0n) host.memory.write(s.vaddr, elf.readBytes(s.offset, s.filesz, `segment at ${hex(s.vaddr)}`), { force: true });
  }
  const sections = elf.sections.filter((s) => s.flags & SHF.ALLOC && s.size > 0n).map((s) => ({ index: s.index, name: s.name, address: s.addr, size: s.size }));
  const symbols = elf
    .symbols()
    .filter((s) => s.name && s.shndx !== SHN.UNDEF && (s.type === STT.FUNC || s.type === STT.OBJECT || s.type === STT.NOTYPE))
    .map((s): GuestSymbol => ({ name: s.name, address: s.value, size: s.size, kind: symbolKind(s.type), global: s.bind !== STB.LOCAL, image: name }));
  return {
    name,
    kind: 'executable',
    start: runs[0].start,
    end: runs[runs.length - 1].end,
    sections,
    symbols,
    deferred: [],
  };
}

function segmentPerm(flags: bigint): number {
  return Perm.Read | (flags & PF_W ? Perm.Write : 0) | (flags & PF_X ? Perm.Exec : 0);
}

interface PageRun {
  start: bigint;
  end: bigint;
  perm: number;
}

/**
 * The segments' pages as maximal runs of contiguous pages with one permission, a page two
 * segments share having both's: walked by segment boundaries, so a large .bss costs nothing.
 */
function pageRuns(spans: PageRun[]): PageRun[] {
  const cuts = [...new Set(spans.flatMap((s) => [s.start, s.end]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const runs: PageRun[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    const covering = spans.filter((s) => s.start < end && start < s.end);
    if (!covering.length) continue;
    const perm = covering.reduce((p, s) => p | s.perm, 0);
    const last = runs[runs.length - 1];
    if (last && last.end === start && last.perm === perm) last.end = end;
    else runs.push({ start, end, perm });
  }
  return runs;
}

type Group = 'text' | 'rodata' | 'data';

function groupOf(section: ElfSection): Group {
  if (section.flags & SHF.EXECINSTR) return 'text';
  if (section.flags & SHF.WRITE) return 'data';
  return 'rodata';
}

const GROUP_PERM: Record<Group, Perm> = { text: Perm.RX, rodata: Perm.Read, data: Perm.RW };

/**
 * Lays out every SHF_ALLOC section of a relocatable object (text, read-only data and writable
 * data each on their own pages, so permissions hold), defines its symbols, resolves undefined
 * ones through the host, and applies the RELA relocations.
 */
export function loadRelocatable(host: LoaderHost, elf: ElfFile, name: string, options: LoadOptions = {}): LoadedImage {
  checkMachine(elf, name, ET.REL);
  checkCounts(elf, name);
  // A module loader places an empty section too: its symbols (a relocation against it) point where it would start.
  const allocated = elf.sections.filter((s) => s.flags & SHF.ALLOC && (s.size > 0n || options.rules));
  const base = new Map<number, bigint>();
  const groups: Group[] = ['text', 'rodata', 'data'];
  const sizes = new Map<Group, bigint>();
  const offsets = new Map<number, bigint>();
  for (const group of groups) {
    let size = 0n;
    for (const s of allocated.filter((x) => groupOf(x) === group)) {
      // Within its group, as Xen's calc_section() and the module loader lay sections out: the group
      // itself starts on a page, so an alignment beyond a page holds relative to it only, as there.
      size = alignUp(size, s.addralign > 0n ? s.addralign : 1n);
      offsets.set(s.index, size);
      size += s.size;
    }
    sizes.set(group, alignUp(size, PAGE_SIZE));
  }
  const total = groups.reduce((sum, g) => sum + sizes.get(g)!, 0n);
  checkFits(host.memory, name, allocated, offsets, sizes);
  const start = total > 0n ? host.reserve(total, name) : 0n;
  let cursor = start;
  const groupStart = new Map<Group, bigint>();
  for (const group of groups) {
    groupStart.set(group, cursor);
    const size = sizes.get(group)!;
    if (size > 0n) host.memory.map(cursor, size, Perm.RW, `${name} ${group}`);
    cursor += size;
  }
  for (const s of allocated) {
    const address = groupStart.get(groupOf(s))! + offsets.get(s.index)!;
    base.set(s.index, address);
    if (s.type !== SHT.NOBITS) host.memory.write(address, elf.sectionData(s), { force: true });
  }

  const elfSymbols = elf.symbols();
  const values: bigint[] = [];
  const symbols: GuestSymbol[] = [];
  const ownGlobals = new Map<string, bigint>();
  for (const sym of elfSymbols) {
    // SHN_LIVEPATCH symbols (`.klp.sym.<obj>.<name>,<pos>`) are the livepatch core's to resolve, as in the kernel.
    if (sym.shndx === SHN.UNDEF || sym.shndx === SHN.COMMON || sym.shndx === SHN.LIVEPATCH) continue;
    const value = sym.shndx === SHN.ABS ? sym.value : (base.get(sym.shndx) ?? (options.rules ? notLaidOut(elf, sym.shndx) : 0n)) + sym.value;
    values[sym.index] = value;
    if (sym.bind !== STB.LOCAL && sym.name) ownGlobals.set(sym.name, value);
    if (sym.name && sym.type !== STT.SECTION && sym.type !== STT.FILE && base.has(sym.shndx)) {
      symbols.push({ name: sym.name, address: value, size: sym.size, kind: symbolKind(sym.type), global: sym.bind !== STB.LOCAL, image: name });
    }
  }
  for (const sym of elfSymbols) {
    if (sym.index === 0 || values[sym.index] !== undefined || sym.shndx === SHN.LIVEPATCH) continue;
    if (sym.shndx === SHN.COMMON) throw new LoaderError(name, `common symbol '${sym.name}' (build with -fno-common)`);
    const value = ownGlobals.get(sym.name) ?? host.resolve(sym.name);
    if (value === undefined) {
      if (sym.bind === STB.WEAK) {
        values[sym.index] = 0n;
        continue;
      }
      throw new LoaderError(name, `undefined symbol '${sym.name}': not in the object, earlier objects, the target or the natives`);
    }
    values[sym.index] = value;
  }

  const loaded = (s: ElfSection): LoadedSection => ({ index: s.index, name: s.name, address: base.get(s.index)!, size: s.size });
  const deferred: DeferredRelocationSection[] = [];
  for (const target of allocated) {
    for (const rela of elf.relocationSectionsFor(target)) {
      const relocations = elf.relocations(rela);
      for (const r of relocations) {
        if ((r.offset < 0n || r.offset >= target.size) && !options.rules)
          throw new LoaderError(name, `relocation in ${target.name} at offset ${hex(r.offset)} lies outside the section`);
      }
      if (options.defer?.(rela)) {
        deferred.push({
          name: rela.name,
          flags: rela.flags,
          target: loaded(target),
          relocations: relocations.map((r) => {
            const sym = elfSymbols[r.symbolIndex];
            if (!sym) throw new LoaderError(name, `relocation in ${rela.name} against unknown symbol index ${r.symbolIndex}`);
            const symbol: DeferredSymbol = { index: sym.index, name: symbolName(elf, sym), shndx: sym.shndx, bind: sym.bind, type: sym.type };
            const value = values[r.symbolIndex];
            return { offset: r.offset, type: r.type, addend: r.addend, symbol: value === undefined ? symbol : { ...symbol, value } };
          }),
        });
        continue;
      }
      for (const r of relocations) {
        const sym = elfSymbols[r.symbolIndex];
        // Linux relocates against the null symbol (index 0) and SHN_LIVEPATCH ones with their st_value, as simplify_symbols() leaves it.
        const S = values[r.symbolIndex] ?? (options.rules && sym && (sym.shndx === SHN.LIVEPATCH || sym.index === 0) ? sym.value : undefined);
        if (S === undefined && sym?.shndx === SHN.LIVEPATCH)
          throw new LoaderError(name, `relocation in ${target.name} against livepatch symbol '${sym.name}' outside a deferred (.klp.rela) section`);
        if (S === undefined) throw new LoaderError(name, `relocation in ${target.name} against unknown symbol index ${r.symbolIndex}`);
        const P = base.get(target.index)! + r.offset;
        const where = `against '${symbolName(elf, sym)}' in ${target.name}+${hex(r.offset)}`;
        if (options.rules) options.rules.relocate(host.memory, { type: r.type, value: S + r.addend, place: P, where });
        else applyRelocation(host.memory, name, r.type, S + r.addend, P, where);
      }
    }
  }

  for (const group of groups) {
    const size = sizes.get(group)!;
    if (size > 0n) host.memory.protect(groupStart.get(group)!, size, GROUP_PERM[group]);
  }
  // prettier-ignore
  return {
    name,
    kind: 'object',
    start,
    end: start + total,
    sections: allocated.map(loaded),
    symbols,
    deferred,
  };
}

/**
 * Where a module loader leaves a section it does not lay out (no SHF_ALLOC): Linux's
 * rewrite_section_headers() points sh_addr into its vmalloc'ed copy of the file, and a symbol
 * there keeps that address (x86-64's vmalloc space starts at 0xffffc90000000000).
 */
function notLaidOut(elf: ElfFile, shndx: number): bigint {
  return 0xffffc90000000000n + (elf.sections[shndx]?.offset ?? 0n);
}

function symbolName(elf: ElfFile, sym: ElfSymbol): string {
  return sym.name || (sym.type === STT.SECTION ? elf.sections[sym.shndx]?.name : undefined) || `#${sym.index}`;
}

/**
 * Applies a relocation section the load kept back, once its symbols can be resolved: those the
 * load knew keep their value, the others (SHN_LIVEPATCH, `.klp.sym.<obj>.<name>,<pos>`) come from
 * `resolve`. The bytes are those the load would have written with the same symbol values.
 */
export function applyDeferredRelocations(
  memory: Memory,
  image: LoadedImage,
  section: DeferredRelocationSection,
  resolve: (symbol: DeferredSymbol) => bigint | undefined,
  relocate?: Relocate,
): void {
  for (const r of section.relocations) {
    const S = r.symbol.value ?? resolve(r.symbol);
    if (S === undefined) throw new LoaderError(image.name, `${section.name}: cannot resolve symbol '${r.symbol.name}'`);
    const where = `against '${r.symbol.name}' in ${section.target.name}+${hex(r.offset)} (${section.name})`;
    const site = { type: r.type, value: S + r.addend, place: section.target.address + r.offset, where };
    if (relocate) relocate(memory, site);
    else applyRelocation(memory, image.name, site.type, site.value, site.place, where);
  }
}

/**
 * The address of `name` in an image by its position among the symbols of that name, in
 * symbol-table order, as klp_find_object_symbol counts them in kallsyms: `sympos` 0 means the
 * name must be unique, N >= 1 the Nth. Refused in the kernel's words (`objectName` is `vmlinux`
 * or the module's name).
 */
export function symbolByPosition(image: LoadedImage, name: string, sympos: number, objectName = 'vmlinux'): bigint {
  const matches = image.symbols.filter((s) => s.name === name);
  if (!matches.length) throw new LoaderError(image.name, `symbol '${name}' not found in symbol table`);
  if (sympos === 0) {
    if (matches.length > 1) throw new LoaderError(image.name, `unresolvable ambiguity for symbol '${name}' in object '${objectName}'`);
    return matches[0].address;
  }
  const match = matches[sympos - 1];
  if (!match) throw new LoaderError(image.name, `symbol position ${sympos} for symbol '${name}' in object '${objectName}' not found`);
  return match.address;
}

/** The section, symbol and relocation tables the loader walks stay within their limits. */
function checkCounts(elf: ElfFile, name: string): void {
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  const relocations = elf.sections.filter((s) => s.type === SHT.RELA).reduce((sum, s) => sum + s.size / (s.entsize > 0n ? s.entsize : 24n), 0n);
  const counts: Array<[LimitName, bigint, string]> = [
    ['elfSections', BigInt(elf.sections.length), 'sections'],
    ['elfSymbols', symtab ? symtab.size / (symtab.entsize > 0n ? symtab.entsize : 24n) : 0n, `symbols in ${symtab?.name ?? '.symtab'}`],
    ['elfRelocations', relocations, 'relocations in its SHT_RELA sections'],
  ];
  for (const [limit, count, what] of counts) {
    if (count > BigInt(limits()[limit]))
      throw new LoaderError(name, `${count} ${what}, more than the limit of ${limits()[limit]} ${limitSpecs[limit].what} (${howToRaise(limit)})`);
  }
}

/**
 * Refuses, before any address space is reserved, an object whose sections do not fit in what the
 * guest memory limit leaves, naming the first section that does not fit.
 */
function checkFits(memory: Memory, name: string, allocated: ElfSection[], offsets: Map<number, bigint>, sizes: Map<Group, bigint>): void {
  const available = memory.available();
  const groupBase: Record<Group, bigint> = { text: 0n, rodata: sizes.get('text')!, data: sizes.get('text')! + sizes.get('rodata')! };
  for (const s of allocated) {
    const end = alignUp(groupBase[groupOf(s)] + offsets.get(s.index)! + s.size, PAGE_SIZE);
    if (end > available) throw new GuestMemoryError(`section ${s.name} of ${name}`, s.size, available);
  }
}

const INT32_MIN = -(1n << 31n);
const INT32_MAX = (1n << 31n) - 1n;

function applyRelocation(memory: Memory, file: string, type: number, value: bigint, place: bigint, where: string): void {
  const typeName = R_X86_64[type] ?? `type ${type}`;
  const put = (bytes: number, v: bigint) => {
    const data = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) data[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    memory.write(place, data, { force: true });
  };
  const overflow = (v: bigint, range: string): never => {
    throw new LoaderError(file, `relocation ${typeName} ${where} overflows: ${v < 0n ? '-' : ''}${hex(v < 0n ? -v : v)} does not fit in ${range}`);
  };
  const signed = (v: bigint) => (v >= 1n << 63n ? v - (1n << 64n) : v);
  // prettier-ignore
  switch (type) {
    case 0: // R_X86_64_NONE
      return;
    case 1: // R_X86_64_64
      return put(8, BigInt.asUintN(64, value));
    case 24: // R_X86_64_PC64
      return put(8, BigInt.asUintN(64, value - place));
    case 2: // R_X86_64_PC32
    case 4: { // R_X86_64_PLT32: no PLT here, a direct call within +-2 GiB
      const v = signed(BigInt.asUintN(64, value - place));
      if (v < INT32_MIN || v > INT32_MAX) overflow(v, '32 bits (signed, PC-relative)');
      return put(4, BigInt.asUintN(32, v));
    }
    case 10: { // R_X86_64_32
      const v = BigInt.asUintN(64, value);
      if (v > 0xffffffffn) overflow(v, '32 bits (zero-extended)');
      return put(4, v);
    }
    case 11: { // R_X86_64_32S
      const v = signed(BigInt.asUintN(64, value));
      if (v < INT32_MIN || v > INT32_MAX) overflow(v, '32 bits (sign-extended; code must live in the top or bottom 2 GiB)');
      return put(4, BigInt.asUintN(32, v));
    }
    default:
      throw new LoaderError(file, `unsupported relocation ${typeName} ${where}`);
  }
}
