import { SHF, SHT } from '../../../../server/out/elf';
import type { Random } from '../../fuzz/random';
import {
  addSection,
  elfOf,
  getSectionField,
  note,
  relocations,
  RelocationEntry,
  renameSection,
  renameSymbol,
  SectionField,
  setRelocation,
  setSectionField,
  setSymbolField,
} from '../core/elfEdit';
import type { Base, Mutation, Mutator } from '../core/mutator';

/*
 * One change per variant of a Xen payload, in the families of issue 16: relocations, symbols,
 * sections (flags, alignment, sizes, names), the .livepatch.* sections and notes, build-ids,
 * struct livepatch_func fields, the ELF header. Values that a wild pointer would follow at upload
 * (the name and old_addr of a func, read by real Xen before any check of ours) move by a few
 * bytes only, so a variant does not take the real hypervisor down with it.
 */

const hex = (v: bigint | number): string => `0x${BigInt(v).toString(16)}`;
const signedHex = (v: bigint): string => (v < 0n ? `-${hex(-v)}` : `+${hex(v)}`);

/** `struct livepatch_func` v2 of Xen 4.17 (xen/include/public/sysctl.h): 104 bytes. */
const func = { name: 0, newAddr: 8, oldAddr: 16, newSize: 24, oldSize: 28, version: 32, opaque: 33, applied: 64, pad: 65, expect: 72 } as const;
const funcSize = 104;

const allocated = (r: RelocationEntry): boolean => (r.targetFlags & SHF.ALLOC) !== 0n;

function section(bytes: Buffer, name: string) {
  return elfOf(bytes).section(name);
}

function funcsAt(bytes: Buffer, rng: Random): { offset: number; entry: number } | undefined {
  const s = section(bytes, '.livepatch.funcs');
  if (!s || s.size < BigInt(funcSize)) return undefined;
  const entry = rng.below(Number(s.size / BigInt(funcSize)));
  return { offset: Number(s.offset) + entry * funcSize, entry };
}

/** The relocation of `.livepatch.funcs` entry `entry` at field offset `field`. */
const funcRelocation = (bytes: Buffer, entry: number, field: number): RelocationEntry | undefined =>
  relocations(bytes).find((r) => r.target === '.livepatch.funcs' && r.offset === BigInt(entry * funcSize + field));

/** Whether relocation `r` writes a pointer real Xen follows at upload (a func's name or old_addr). */
const followedAtUpload = (r: RelocationEntry): boolean => r.target === '.livepatch.funcs' && ([func.name, func.oldAddr] as number[]).includes(Number(r.offset % BigInt(funcSize)));

const mutator = (name: string, mutate: (base: Base, rng: Random) => Mutation | undefined): Mutator => ({ name, mutate });

// prettier-ignore
const relocationTypes = [0, 1, 2, 3, 4, 8, 9, 10, 11, 24, 26, 41, 42, 43, 99];

const relocationMutators: Mutator[] = [
  mutator('relocation/type', (b, rng) => {
    const r = rng.pick(relocations(b.bytes).filter(allocated));
    const type = rng.pick(relocationTypes.filter((t) => t !== r.type));
    // A pointer Xen follows at upload keeps a type that writes 8 bytes or nothing.
    if (followedAtUpload(r) && type !== 0) return undefined;
    return { description: `${r.rela}[${r.index}] type ${r.type} -> ${type}`, bytes: setRelocation(b.bytes, r, { type }) };
  }),
  mutator('relocation/addend', (b, rng) => {
    const r = rng.pick(relocations(b.bytes).filter(allocated));
    const deltas = followedAtUpload(r) ? [1n, 2n, -1n] : [1n, -1n, 4n, 0x10n, 0x1000n, 0x100000n, 1n << 31n, -(1n << 31n), 1n << 32n, 1n << 40n];
    const delta = rng.pick(deltas);
    return { description: `${r.rela}[${r.index}] addend ${r.addend} ${signedHex(delta)}`, bytes: setRelocation(b.bytes, r, { addend: r.addend + delta }) };
  }),
  mutator('relocation/symbol', (b, rng) => {
    const r = rng.pick(relocations(b.bytes).filter(allocated));
    if (followedAtUpload(r)) return undefined;
    const count = elfOf(b.bytes).symbols().length;
    const symbol = rng.pick([0, count, count + 100, rng.below(count)]);
    if (symbol === r.symbol) return undefined;
    return { description: `${r.rela}[${r.index}] symbol ${r.symbol} -> ${symbol} (of ${count})`, bytes: setRelocation(b.bytes, r, { symbol }) };
  }),
  mutator('relocation/offset', (b, rng) => {
    const r = rng.pick(relocations(b.bytes).filter(allocated));
    if (r.target === '.livepatch.funcs') return undefined;
    const size = section(b.bytes, r.target)!.size;
    const offset = rng.pick([size, size - 1n, size + 0x1000n, 1n << 40n, -1n]);
    return {
      description: `${r.rela}[${r.index}] offset ${hex(r.offset)} -> ${offset < 0n ? '-1' : hex(offset)} (${r.target} is ${size} bytes)`,
      bytes: setRelocation(b.bytes, r, { offset }),
    };
  }),
  mutator('relocation/link', (b, rng) => {
    const rela = rng.pick(elfOf(b.bytes).sections.filter((s) => s.type === SHT.RELA));
    const field = rng.pick<SectionField>(['link', 'info']);
    const value = rng.pick([0n, BigInt(rela.index), 0xffffn]);
    if (value === getSectionField(b.bytes, rela.index, field)) return undefined;
    return { description: `${rela.name} sh_${field} ${getSectionField(b.bytes, rela.index, field)} -> ${value}`, bytes: setSectionField(b.bytes, rela.index, field, value) };
  }),
];

/** Symbols other than the null one, with what the mutators need to know. */
function symbolChoice(bytes: Buffer, rng: Random, filter: (s: ReturnType<ReturnType<typeof elfOf>['symbols']>[number]) => boolean = () => true) {
  const symbols = elfOf(bytes)
    .symbols()
    .filter((s) => s.index > 0 && filter(s));
  return symbols.length ? rng.pick(symbols) : undefined;
}
const symbolName = (s: { name: string; index: number }): string => s.name || `#${s.index}`;

const symbolMutators: Mutator[] = [
  mutator('symbol/binding', (b, rng) => {
    const s = symbolChoice(b.bytes, rng);
    const bind = rng.pick([0, 1, 2, 10].filter((x) => x !== s?.bind));
    if (!s) return undefined;
    return { description: `symbol ${symbolName(s)} binding ${s.bind} -> ${bind}`, bytes: setSymbolField(b.bytes, s.index, 'info', BigInt((bind << 4) | s.type)) };
  }),
  mutator('symbol/type', (b, rng) => {
    const s = symbolChoice(b.bytes, rng);
    const type = rng.pick([0, 1, 2, 3, 4, 5, 6, 10].filter((x) => x !== s?.type));
    if (!s) return undefined;
    return { description: `symbol ${symbolName(s)} type ${s.type} -> ${type}`, bytes: setSymbolField(b.bytes, s.index, 'info', BigInt((s.bind << 4) | type)) };
  }),
  mutator('symbol/section', (b, rng) => {
    const s = symbolChoice(b.bytes, rng);
    const shnum = elfOf(b.bytes).sections.length;
    const shndx = rng.pick([0, 0xfff1, 0xfff2, shnum, shnum + 10, 1 + rng.below(shnum - 1)].filter((x) => x !== s?.shndx));
    if (!s) return undefined;
    return { description: `symbol ${symbolName(s)} section ${s.shndx} -> ${hex(shndx)}`, bytes: setSymbolField(b.bytes, s.index, 'shndx', BigInt(shndx)) };
  }),
  mutator('symbol/value', (b, rng) => {
    const s = symbolChoice(b.bytes, rng, (x) => x.shndx !== 0);
    if (!s) return undefined;
    const delta = rng.pick([1n, 2n, -1n, 8n]);
    return { description: `symbol ${symbolName(s)} value ${hex(s.value)} ${signedHex(delta)}`, bytes: setSymbolField(b.bytes, s.index, 'value', s.value + delta) };
  }),
  mutator('symbol/undefined', (b, rng) => {
    const s = symbolChoice(b.bytes, rng, (x) => x.shndx === 0);
    if (!s) return undefined;
    const to = rng.pick(['no_such_symbol', '__fentry__', '_printk', 'jiffies', 'do_domctl', 'printk', 'xen_major_version', `${s.name}_x`]);
    if (to === s.name) return undefined;
    return { description: `undefined ${s.name} renamed ${to}`, bytes: renameSymbol(b.bytes, s.index, to) };
  }),
  mutator('symbol/made-undefined', (b, rng) => {
    const s = symbolChoice(b.bytes, rng, (x) => x.shndx !== 0 && x.bind !== 0 && x.name !== '');
    if (!s) return undefined;
    return {
      description: `defined global ${s.name} made undefined (st_shndx 0, st_value 0)`,
      bytes: setSymbolField(setSymbolField(b.bytes, s.index, 'shndx', 0n), s.index, 'value', 0n),
    };
  }),
  mutator('symbol/duplicate', (b, rng) => {
    const s = symbolChoice(b.bytes, rng, (x) => x.shndx !== 0 && x.name !== '' && x.type !== 4);
    if (!s) return undefined;
    const to = rng.pick(['xen_major_version', 'printk', 'do_domctl', 'xen_extra_version', 'jiffies', 'hi_func', 'livepatch_xen_hello_world']);
    if (to === s.name) return undefined;
    return { description: `${s.bind === 0 ? 'local' : 'global'} ${s.name} renamed ${to}`, bytes: renameSymbol(b.bytes, s.index, to) };
  }),
];

/** Sections that are not the null one or the tables the edits themselves rely on. */
function sectionChoice(bytes: Buffer, rng: Random, filter: (s: ReturnType<typeof elfOf>['sections'][number]) => boolean = () => true) {
  const elf = elfOf(bytes);
  const sections = elf.sections.filter((s) => s.index > 0 && s.index !== elf.header.shstrndx && filter(s));
  return sections.length ? rng.pick(sections) : undefined;
}

const flagNames: Array<[bigint, string]> = [
  [SHF.WRITE, 'W'],
  [SHF.ALLOC, 'A'],
  [SHF.EXECINSTR, 'X'],
];
const flagText = (flags: bigint): string => flagNames.map(([bit, n]) => (flags & bit ? n : '')).join('') || '-';

const sectionMutators: Mutator[] = [
  mutator('section/flags', (b, rng) => {
    const s = sectionChoice(b.bytes, rng, (x) => x.type !== SHT.SYMTAB && x.type !== SHT.STRTAB);
    if (!s) return undefined;
    const [bit] = rng.pick(flagNames);
    const flags = rng.chance(0.2) ? s.flags | SHF.ALLOC | SHF.WRITE | SHF.EXECINSTR : s.flags ^ bit;
    if (flags === s.flags) return undefined;
    return { description: `${s.name} flags ${flagText(s.flags)} -> ${flagText(flags)}`, bytes: setSectionField(b.bytes, s.index, 'flags', flags) };
  }),
  mutator('section/alignment', (b, rng) => {
    const s = sectionChoice(b.bytes, rng);
    if (!s) return undefined;
    const align = rng.pick([0n, 3n, 6n, 4096n, 8192n, 1n << 21n, 1n << 40n].filter((a) => a !== s.addralign));
    return { description: `${s.name} sh_addralign ${s.addralign} -> ${align}`, bytes: setSectionField(b.bytes, s.index, 'addralign', align) };
  }),
  mutator('section/size', (b, rng) => {
    const s = sectionChoice(b.bytes, rng, (x) => x.type !== SHT.SYMTAB && x.type !== SHT.STRTAB && x.type !== SHT.RELA);
    if (!s) return undefined;
    const size = rng.pick([0n, s.size - 1n, s.size + 1n, s.size + 8n, 1n << 20n, 1n << 32n].filter((x) => x >= 0n && x !== s.size));
    return { description: `${s.name} sh_size ${s.size} -> ${size}`, bytes: setSectionField(b.bytes, s.index, 'size', size) };
  }),
  mutator('section/table-size', (b, rng) => {
    const s = sectionChoice(b.bytes, rng, (x) => x.type === SHT.SYMTAB || x.type === SHT.STRTAB || x.type === SHT.RELA);
    if (!s) return undefined;
    const size = rng.pick([0n, s.size - 1n, s.size + 24n, s.size * 2n]);
    return { description: `${s.name} sh_size ${s.size} -> ${size}`, bytes: setSectionField(b.bytes, s.index, 'size', size) };
  }),
  mutator('section/offset', (b, rng) => {
    const s = sectionChoice(b.bytes, rng, (x) => x.type !== SHT.NOBITS);
    if (!s) return undefined;
    const offset = rng.pick([BigInt(b.bytes.length), BigInt(b.bytes.length) - 1n, 1n << 32n]);
    return { description: `${s.name} sh_offset ${s.offset} -> ${offset} (file is ${b.bytes.length} bytes)`, bytes: setSectionField(b.bytes, s.index, 'offset', offset) };
  }),
  mutator('section/type', (b, rng) => {
    const s = sectionChoice(b.bytes, rng);
    if (!s) return undefined;
    const type = rng.pick([SHT.NULL, SHT.PROGBITS, SHT.NOBITS, SHT.REL, SHT.SYMTAB, 7, 0x60000000].filter((t) => t !== s.type));
    return { description: `${s.name} sh_type ${s.type} -> ${hex(type)}`, bytes: setSectionField(b.bytes, s.index, 'type', BigInt(type)) };
  }),
  mutator('section/entsize', (b, rng) => {
    const s = sectionChoice(b.bytes, rng, (x) => x.type === SHT.SYMTAB || x.type === SHT.RELA);
    if (!s) return undefined;
    const entsize = rng.pick([0n, 16n, 32n]);
    return { description: `${s.name} sh_entsize ${s.entsize} -> ${entsize}`, bytes: setSectionField(b.bytes, s.index, 'entsize', entsize) };
  }),
];

/** The .livepatch.* and note sections: missing (renamed away), extra, emptied, their notes changed. */
const livepatchSections = [
  '.livepatch.funcs',
  '.livepatch.depends',
  '.livepatch.xen_depends',
  '.note.gnu.build-id',
  '.livepatch.hooks.load',
  '.livepatch.hooks.unload',
  '.modinfo',
];
const extraSections = [
  '.livepatch.hooks.preapply',
  '.livepatch.hooks.postapply',
  '.livepatch.hooks.prerevert',
  '.livepatch.hooks.apply',
  '.livepatch.hooks.load',
  '.livepatch.depends',
  '.livepatch.funcs',
  '.note.gnu.build-id',
  '.altinstructions',
  '.ex_table',
  '.bug_frames.0',
  '.modinfo',
  '.livepatch.unknown',
];
const notes = ['.note.gnu.build-id', '.livepatch.depends', '.livepatch.xen_depends'];

const payloadSectionMutators: Mutator[] = [
  mutator('livepatch/missing', (b, rng) => {
    const name = rng.pick(livepatchSections);
    const s = section(b.bytes, name);
    if (!s) return undefined;
    return { description: `${name} renamed ${name}X (missing)`, bytes: renameSection(b.bytes, s.index, `${name}X`) };
  }),
  mutator('livepatch/extra', (b, rng) => {
    const name = rng.pick(extraSections);
    const length = rng.pick([0, 1, 8, 16, 20]);
    const data = rng.pick([Buffer.alloc(length), Buffer.alloc(length, 0x41)]);
    const flags = rng.pick([SHF.ALLOC, 0n, SHF.ALLOC | SHF.WRITE]);
    const added = addSection(b.bytes, { name, type: SHT.PROGBITS, flags, data, addralign: 8n });
    return { description: `extra ${name} (${flagText(flags)}, ${length} bytes of ${data[0] === 0x41 ? "'A'" : 'zero'})`, bytes: added.bytes };
  }),
  mutator('livepatch/empty', (b, rng) => {
    const name = rng.pick(livepatchSections);
    const s = section(b.bytes, name);
    if (!s) return undefined;
    return { description: `${name} sh_size 0`, bytes: setSectionField(b.bytes, s.index, 'size', 0n) };
  }),
  mutator('note/field', (b, rng) => {
    const name = rng.pick(notes);
    const s = section(b.bytes, name);
    if (!s) return undefined;
    const at = Number(s.offset);
    const field = rng.pick(['namesz', 'descsz', 'type', 'name', 'desc-byte', 'desc-short'] as const);
    const out = b.bytes;
    if (field === 'namesz') out.writeUInt32LE(rng.pick([0, 3, 5, 0x1000]), at);
    if (field === 'descsz') out.writeUInt32LE(rng.pick([0, 4, 19, 21, 0x1000]), at + 4);
    if (field === 'type') out.writeUInt32LE(rng.pick([1, 2, 4]), at + 8);
    if (field === 'name') out.write('XEN', at + 12, 'latin1');
    if (field === 'desc-byte') out[at + 16 + rng.below(20)] ^= 0x01;
    if (field === 'desc-short') {
      out.writeUInt32LE(16, at + 4);
      setSectionField(out, s.index, 'size', s.size - 4n);
    }
    const value = field === 'namesz' ? out.readUInt32LE(at) : field === 'descsz' ? out.readUInt32LE(at + 4) : field === 'type' ? out.readUInt32LE(at + 8) : '';
    return { description: `${name} note ${field}${value === '' ? '' : ` -> ${value}`}`, bytes: out, ...(field === 'desc-byte' ? {} : {}) };
  }),
  mutator('note/replaced', (b, rng) => {
    const name = rng.pick(notes);
    const s = section(b.bytes, name);
    if (!s) return undefined;
    const id = Buffer.alloc(rng.pick([20, 16, 8, 1]), 0xab);
    const data = note('GNU', 3, id);
    const added = addSection(b.bytes, { name: `${name}.new`, type: SHT.NOTE, flags: s.flags, data, addralign: 4n });
    // The old section keeps its place under another name; the new one takes the name.
    const swapped = renameSection(renameSection(added.bytes, s.index, `${name}.old`), added.index, name);
    return { description: `${name} replaced by a GNU build-id note of ${id.length} bytes 0xab`, bytes: swapped };
  }),
  mutator('modinfo/terminator', (b) => {
    const s = section(b.bytes, '.modinfo');
    if (!s || s.size === 0n) return undefined;
    b.bytes[Number(s.offset + s.size - 1n)] = 0x58;
    return { description: ".modinfo's last NUL made 'X'", bytes: b.bytes };
  }),
];

/** Mutations of one field of one `.livepatch.funcs` entry; `apply` when Xen checks it only at apply. */
const funcMutators: Mutator[] = [
  mutator('func/version', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const version = rng.pick([0, 1, 3, 255]);
    b.bytes[at.offset + func.version] = version;
    return { description: `funcs[${at.entry}].version 2 -> ${version}`, bytes: b.bytes };
  }),
  mutator('func/new_size', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const old = b.bytes.readUInt32LE(at.offset + func.newSize);
    const size = rng.pick([0, 1, 4, 5, 30, 31, 32, 0xffffffff, old + 1].filter((x) => x !== old));
    b.bytes.writeUInt32LE(size, at.offset + func.newSize);
    return { description: `funcs[${at.entry}].new_size ${old} -> ${size}`, bytes: b.bytes };
  }),
  mutator('func/old_size', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const old = b.bytes.readUInt32LE(at.offset + func.oldSize);
    const size = rng.pick([0, 1, 4, 5, 8, old - 1, old + 1, 0xffffffff].filter((x) => x >= 0 && x !== old));
    b.bytes.writeUInt32LE(size, at.offset + func.oldSize);
    return { description: `funcs[${at.entry}].old_size ${old} -> ${size}`, bytes: b.bytes };
  }),
  mutator('func/new_addr-zero', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    const r = at && funcRelocation(b.bytes, at.entry, func.newAddr);
    if (!at || !r) return undefined;
    return { description: `funcs[${at.entry}].new_addr 0 (its relocation made R_X86_64_NONE): a NOP-out of new_size bytes`, bytes: setRelocation(b.bytes, r, { type: 0 }) };
  }),
  mutator('func/old_addr-name', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const r = funcRelocation(b.bytes, at.entry, func.oldAddr);
    if (r) return { description: `funcs[${at.entry}].old_addr 0 (its relocation made R_X86_64_NONE): resolved by name`, bytes: setRelocation(b.bytes, r, { type: 0 }) };
    // old_addr 0 already: the name names something else (the string is patched in place).
    const name = funcRelocation(b.bytes, at.entry, func.name);
    if (!name) return undefined;
    const elf = elfOf(b.bytes);
    const sym = elf.symbols()[name.symbol];
    const s = elf.sections[sym.shndx];
    if (!s || s.type === SHT.NOBITS) return undefined;
    const start = Number(s.offset + sym.value) + Number(name.addend);
    const end = b.bytes.indexOf(0, start);
    const current = b.bytes.toString('latin1', start, end);
    const to = rng.pick(['xen_extra_versioX', 'xen_major_version', 'do_domctl', '']);
    const written = to.slice(0, current.length);
    b.bytes.fill(0, start, end);
    b.bytes.write(written, start, 'latin1');
    return { description: `funcs[${at.entry}] old_addr 0, name "${current}" -> "${written}"`, bytes: b.bytes };
  }),
  mutator('func/old_addr-symbol', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    const r = at && funcRelocation(b.bytes, at.entry, func.oldAddr);
    if (!at || !r) return undefined;
    const elf = elfOf(b.bytes);
    const undefinedSyms = elf.symbols().filter((s) => s.index > 0 && s.shndx === 0 && s.index !== r.symbol);
    const defined = elf.symbols().filter((s) => s.index > 0 && s.type === 2);
    const to = rng.pick([...undefinedSyms, ...defined]);
    if (!to) return undefined;
    return { description: `funcs[${at.entry}].old_addr relocated against ${symbolName(to)} instead`, bytes: setRelocation(b.bytes, r, { symbol: to.index }) };
  }),
  mutator('func/opaque', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const field = rng.pick(['opaque', 'applied', 'pad'] as const);
    const offset = func[field] + (field === 'opaque' ? rng.below(31) : field === 'pad' ? rng.below(7) : 0);
    b.bytes[at.offset + offset] = rng.pick([1, 0xff]);
    return { description: `funcs[${at.entry}] byte ${offset} (${field}) -> ${hex(b.bytes[at.offset + offset])}`, bytes: b.bytes };
  }),
  mutator('func/expect', (b, rng) => {
    const at = funcsAt(b.bytes, rng);
    if (!at) return undefined;
    const old = b.bytes.readUInt32LE(at.offset + func.oldSize);
    const len = rng.pick([1, 4, 31, old + 1]);
    const rsv = rng.chance(0.25) ? 1 : 0;
    b.bytes[at.offset + func.expect] = 1 | ((len & 31) << 1) | (rsv << 6);
    return { description: `funcs[${at.entry}].expect enabled, len ${len & 31}${rsv ? ', rsv 1' : ''}, data zero`, bytes: b.bytes };
  }),
  mutator('func/count', (b, rng) => {
    const s = section(b.bytes, '.livepatch.funcs');
    if (!s) return undefined;
    const size = rng.pick([s.size + BigInt(funcSize), s.size - 8n, 64n, 0n]);
    return { description: `.livepatch.funcs sh_size ${s.size} -> ${size}`, bytes: setSectionField(b.bytes, s.index, 'size', size) };
  }),
];

const headerFields: Array<{ what: string; at: number; width: 1 | 2; values: number[] }> = [
  { what: 'EI_CLASS', at: 4, width: 1, values: [0, 1, 3] },
  { what: 'EI_DATA', at: 5, width: 1, values: [0, 2] },
  { what: 'EI_VERSION', at: 6, width: 1, values: [0, 2] },
  { what: 'EI_OSABI', at: 7, width: 1, values: [3, 9, 97] },
  { what: 'EI_ABIVERSION', at: 8, width: 1, values: [1] },
  { what: 'e_type', at: 16, width: 2, values: [0, 2, 3, 4] },
  { what: 'e_machine', at: 18, width: 2, values: [3, 40, 183] },
  { what: 'e_version', at: 20, width: 1, values: [0, 2] },
  { what: 'e_ehsize', at: 52, width: 2, values: [0, 52] },
  { what: 'e_shentsize', at: 58, width: 2, values: [0, 40, 65] },
  { what: 'e_shnum', at: 60, width: 2, values: [0, 1, 0xffff] },
  { what: 'e_shstrndx', at: 62, width: 2, values: [0, 1, 0xfff0] },
];

const headerMutators: Mutator[] = [
  mutator('header/field', (b, rng) => {
    const field = rng.pick(headerFields);
    const value = rng.pick(field.values);
    if (field.width === 1) b.bytes[field.at] = value;
    else b.bytes.writeUInt16LE(value, field.at);
    return { description: `${field.what} -> ${value}`, bytes: b.bytes };
  }),
  mutator('header/program-headers', (b, rng) => {
    const phnum = rng.pick([1, 2]);
    b.bytes.writeBigUInt64LE(64n, 32);
    b.bytes.writeUInt16LE(56, 54);
    b.bytes.writeUInt16LE(phnum, 56);
    return { description: `e_phnum ${phnum}, e_phoff 64`, bytes: b.bytes };
  }),
  mutator('header/shoff', (b, rng) => {
    const shoff = rng.pick([0n, BigInt(b.bytes.length), BigInt(b.bytes.length) - 64n, 1n << 40n]);
    b.bytes.writeBigUInt64LE(shoff, 40);
    return { description: `e_shoff -> ${shoff} (file is ${b.bytes.length} bytes)`, bytes: b.bytes };
  }),
  mutator('file/truncated', (b, rng) => {
    const length = rng.pick([0, 16, 63, 64, 1000, Math.floor(b.bytes.length / 2), b.bytes.length - 1]);
    return { description: `file cut to ${length} of ${b.bytes.length} bytes`, bytes: b.bytes.subarray(0, length) };
  }),
];

/** Weighted by how many distinct changes each family can make. */
export const xenMutators: readonly Mutator[] = [
  ...relocationMutators,
  ...relocationMutators.slice(0, 2),
  ...symbolMutators,
  ...sectionMutators,
  ...sectionMutators.slice(0, 3),
  ...payloadSectionMutators,
  ...funcMutators,
  ...funcMutators,
  ...headerMutators,
];

/** Mutators whose variants Xen judges at apply too (build-ids it checks then, expectations). */
export const appliedMutators: ReadonlySet<string> = new Set(['note/field', 'note/replaced', 'func/expect', 'livepatch/missing']);
