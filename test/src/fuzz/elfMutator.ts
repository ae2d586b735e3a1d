import { ElfFile, parseElf, SHT } from '../../../server/out/elf';
import { Random } from './random';
import { ByteOp } from './recipe';

/** One field of an ELF structure: where it is in the file, its width and what it is. */
interface Field {
  at: number;
  size: 1 | 2 | 4 | 8;
  what: string;
}

type Layout = Array<[name: string, offset: number, size: 1 | 2 | 4 | 8]>;

const ehdr: Layout = [
  ['e_ident.class', 4, 1],
  ['e_ident.data', 5, 1],
  ['e_ident.version', 6, 1],
  ['e_ident.osabi', 7, 1],
  ['e_type', 16, 2],
  ['e_machine', 18, 2],
  ['e_version', 20, 4],
  ['e_entry', 24, 8],
  ['e_phoff', 32, 8],
  ['e_shoff', 40, 8],
  ['e_flags', 48, 4],
  ['e_ehsize', 52, 2],
  ['e_phentsize', 54, 2],
  ['e_phnum', 56, 2],
  ['e_shentsize', 58, 2],
  ['e_shnum', 60, 2],
  ['e_shstrndx', 62, 2],
];
const shdr: Layout = [
  ['sh_name', 0, 4],
  ['sh_type', 4, 4],
  ['sh_flags', 8, 8],
  ['sh_addr', 16, 8],
  ['sh_offset', 24, 8],
  ['sh_size', 32, 8],
  ['sh_link', 40, 4],
  ['sh_info', 44, 4],
  ['sh_addralign', 48, 8],
  ['sh_entsize', 56, 8],
];
const phdr: Layout = [
  ['p_type', 0, 4],
  ['p_flags', 4, 4],
  ['p_offset', 8, 8],
  ['p_vaddr', 16, 8],
  ['p_paddr', 24, 8],
  ['p_filesz', 32, 8],
  ['p_memsz', 40, 8],
  ['p_align', 48, 8],
];
const sym: Layout = [
  ['st_name', 0, 4],
  ['st_info', 4, 1],
  ['st_other', 5, 1],
  ['st_shndx', 6, 2],
  ['st_value', 8, 8],
  ['st_size', 16, 8],
];
const rela: Layout = [
  ['r_offset', 0, 8],
  ['r_type', 8, 4],
  ['r_sym', 12, 4],
  ['r_addend', 16, 8],
];
const nhdr: Layout = [
  ['n_namesz', 0, 4],
  ['n_descsz', 4, 4],
  ['n_type', 8, 4],
];

/** Where each kind of structure lies in one seed, read once with the engine's own reader. */
interface Structures {
  length: number;
  groups: Record<string, Field[]>;
}

const structures = new Map<Buffer, Structures>();

function fields(layout: Layout, base: number, label: string): Field[] {
  return layout.map(([name, offset, size]) => ({ at: base + offset, size, what: `${label}.${name}` }));
}

/** Every table entry of a section (at most `max`, spread over the table). */
function entries(elf: ElfFile, type: number, entsize: number, layout: Layout, max: number): Field[] {
  return elf.sections
    .filter((s) => s.type === type)
    .flatMap((s) => {
      const count = Number(s.size) / entsize;
      const step = Math.max(1, Math.floor(count / max));
      const out: Field[] = [];
      for (let i = 0; i < count; i += step) out.push(...fields(layout, Number(s.offset) + i * entsize, `${s.name}[${i}]`));
      return out;
    });
}

export function structuresOf(seed: Buffer): Structures {
  const known = structures.get(seed);
  if (known) return known;
  const elf = parseElf(seed, 'seed');
  const h = elf.header;
  const sections = elf.sections.filter((s) => s.type !== SHT.NOBITS && s.size > 0n);
  // Up to 512 places spread over each section, 1, 4 or 8 bytes wide (DWARF is mostly bytes and LEB128s).
  const widths = [8, 1, 4] as const;
  const words = (pattern: RegExp): Field[] =>
    sections
      .filter((s) => pattern.test(s.name))
      .flatMap((s) => {
        const count = Math.min(512, Math.floor(Number(s.size) / 8));
        return Array.from({ length: count }, (_, i) => {
          const offset = Math.floor((i * Number(s.size)) / count / 8) * 8 + (i % 3 === 1 ? i % 8 : 0);
          const size = offset + 8 <= Number(s.size) ? widths[i % 3] : 1;
          return { at: Number(s.offset) + offset, size, what: `${s.name}+0x${offset.toString(16)}` };
        });
      });
  const noteFields = elf.sections.filter((s) => s.type === SHT.NOTE).flatMap((s) => fields(nhdr, Number(s.offset), s.name));
  const stringBytes = elf.sections
    .filter((s) => s.type === SHT.STRTAB)
    .flatMap((s) =>
      Array.from({ length: Math.min(512, Number(s.size)) }, (_, i) => ({
        at: Number(s.offset) + Math.floor((i * Number(s.size)) / Math.min(512, Number(s.size))),
        size: 1 as const,
        what: `${s.name} byte`,
      })),
    );
  const result: Structures = {
    length: seed.length,
    groups: {
      header: fields(ehdr, 0, 'ehdr'),
      section: elf.sections.flatMap((s) => fields(shdr, Number(h.shoff) + s.index * h.shentsize, `shdr[${s.index} ${s.name}]`)),
      segment: elf.segments.flatMap((_, i) => fields(phdr, Number(h.phoff) + i * h.phentsize, `phdr[${i}]`)),
      symbol: entries(elf, SHT.SYMTAB, 24, sym, 400),
      relocation: entries(elf, SHT.RELA, 24, rela, 400),
      // The pointers of .livepatch.funcs, hooks and klp structures are relocations: hit them often.
      payloadRelocation: entries(elf, SHT.RELA, 24, rela, 400).filter((f) => /\.(livepatch|klp|gnu\.linkonce)|__klp|\.data|\.rodata/.test(f.what)),
      note: noteFields,
      strings: stringBytes,
      payload: words(/^(\.livepatch\.|\.klp\.|\.gnu\.linkonce\.this_module|\.modinfo|\.data|\.rodata|\.altinstr)/),
      debug: words(/^\.debug_(info|abbrev|line|str)/),
    },
  };
  elf.close();
  structures.set(seed, result);
  return result;
}

const mask = (size: number): bigint => (1n << BigInt(size * 8)) - 1n;

function readField(seed: Buffer, f: Field): bigint {
  if (f.at + f.size > seed.length) return 0n;
  return f.size === 8 ? seed.readBigUInt64LE(f.at) : BigInt(seed.readUIntLE(f.at, f.size));
}

/** Values that break parsers: edges of the width, off-by-ones of the original, the file's length, huge sizes. */
function interesting(r: Random, original: bigint, size: number, fileLength: number): bigint {
  // prettier-ignore
  const values = [
    0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0xffffffffn, (1n << 63n) - 1n, 1n << 63n, mask(8),
    original + 1n, original - 1n, original * 2n, original ^ (1n << BigInt(r.below(size * 8))), original ^ (BigInt(1 + r.below(255)) << BigInt(8 * r.below(size))),
    BigInt(fileLength), BigInt(fileLength + 1), BigInt(fileLength - 1), 1n << 30n, 1n << 32n, 1n << 44n, BigInt(r.below(0x10000)),
  ];
  return r.pick(values) & mask(size);
}

function write(f: Field, value: bigint): ByteOp {
  const bytes = Buffer.alloc(f.size);
  if (f.size === 8) bytes.writeBigUInt64LE(value);
  else bytes.writeUIntLE(Number(value), 0, f.size);
  return { op: 'write', at: f.at, hex: bytes.toString('hex'), what: f.what };
}

/** One to four structure-aware mutations of an ELF seed, sometimes a truncation or raw bytes. */
export function mutateElf(r: Random, seed: Buffer): ByteOp[] {
  const { length, groups } = structuresOf(seed);
  const names = Object.keys(groups).filter((g) => groups[g].length);
  const ops: ByteOp[] = [];
  for (let n = 1 + (r.chance(0.7) ? 0 : r.below(4)); n > 0; n--) {
    const choice = r.below(names.length + 2);
    if (choice === names.length) ops.push({ op: 'truncate', length: r.below(length), what: 'truncate' });
    else if (choice === names.length + 1) {
      const count = 1 + r.below(16);
      ops.push({ op: 'write', at: r.below(Math.max(1, length - count)), hex: r.bytes(count).toString('hex'), what: 'random bytes' });
    } else {
      const f = r.pick(groups[names[choice]]);
      ops.push(write(f, interesting(r, readField(seed, f), f.size, length)));
    }
  }
  return ops;
}
