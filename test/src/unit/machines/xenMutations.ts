import {
  relocationSymbol,
  renameSection,
  replaceInSection,
  sectionData,
  setElfHeaderU16,
  setRelocationAddend,
  setRelocationSymbol,
  setSectionField,
  setSymbolValue,
} from '../payload/payloadBytes';

/**
 * One byte-level change per Xen upload check (server/src/checks/payload/xenUpload.ts), each made
 * to a real-Xen payload the real loader accepts (`xen_hello_world`, `xen_nop` for the NOP-out
 * case): what the analyzer refuses and what the real hypervisor refuses are then judged on the
 * same bytes. `check` is the id the mutation is meant to trip.
 */
export interface XenMutation {
  check: string;
  what: string;
  base: 'xen_hello_world' | 'xen_nop';
  mutate(bytes: Buffer): Buffer;
}

/** `struct livepatch_func` v2 field offsets (xen/include/public/sysctl.h). */
const func = { newAddr: 8, newSize: 24, oldSize: 28, version: 32, expect: 72 } as const;

function funcsField(bytes: Buffer, field: keyof typeof func, write: (at: number) => void): Buffer {
  write(sectionData(bytes, '.livepatch.funcs').offset + func[field]);
  return bytes;
}

/** The relocation of `.rela.livepatch.funcs` at `fieldOffset` of the entry (0 name, 8 new_addr, 16 old_addr). */
function funcsRelocation(bytes: Buffer, fieldOffset: number): number {
  const { offset, size } = sectionData(bytes, '.rela.livepatch.funcs');
  for (let i = 0; i * 24 < size; i++) if (bytes.readBigUInt64LE(offset + i * 24) === BigInt(fieldOffset)) return i;
  throw new Error(`no .rela.livepatch.funcs relocation at offset ${fieldOffset}`);
}

function lastByteOf(bytes: Buffer, section: string, value: number): Buffer {
  const { offset, size } = sectionData(bytes, section);
  bytes[offset + size - 1] = value;
  return bytes;
}

/** The relocation type of entry `index` of `relaSection` (its symbol kept). */
function setRelocationType(bytes: Buffer, relaSection: string, index: number, type: number): Buffer {
  const at = sectionData(bytes, relaSection).offset + index * 24 + 8;
  bytes.writeBigUInt64LE((bytes.readBigUInt64LE(at) & ~0xffffffffn) | BigInt(type), at);
  return bytes;
}

/** r_offset of entry `index` of `relaSection`. */
function setRelocationOffset(bytes: Buffer, relaSection: string, index: number, offset: bigint): Buffer {
  bytes.writeBigUInt64LE(offset, sectionData(bytes, relaSection).offset + index * 24);
  return bytes;
}

const shfWrite = 0x1n;
const shfAllocExec = 0x6n;
const hello = 'xen_hello_world' as const;

// prettier-ignore
export const xenMutations: XenMutation[] = [
  { check: 'LP300', what: 'e_machine EM_386 (3)', base: hello, mutate: (b) => setElfHeaderU16(b, 18, 3) },
  { check: 'LP301', what: 'e_phnum 1, e_phoff 64', base: hello, mutate: (b) => { b.writeBigUInt64LE(64n, 32); setElfHeaderU16(b, 54, 56); return setElfHeaderU16(b, 56, 1); } },
  { check: 'LP302', what: 'file cut to its first 1000 bytes', base: hello, mutate: (b) => b.subarray(0, 1000) },
  { check: 'LP303', what: '.livepatch.xen_depends renamed .livepatch.xen_dependX', base: hello, mutate: (b) => renameSection(b, '.livepatch.xen_depends', '.livepatch.xen_dependX') },
  { check: 'LP304', what: '.livepatch.funcs 103 bytes (one entry is 104)', base: hello, mutate: (b) => setSectionField(b, '.livepatch.funcs', 'size', 103n) },
  { check: 'LP305', what: 'livepatch_func version 1', base: hello, mutate: (b) => funcsField(b, 'version', (at) => (b[at] = 1)) },
  { check: 'LP306', what: 'old_size 0', base: hello, mutate: (b) => funcsField(b, 'oldSize', (at) => b.writeUInt32LE(0, at)) },
  { check: 'LP307', what: 'old_size 3 (the jump is 5 bytes)', base: hello, mutate: (b) => funcsField(b, 'oldSize', (at) => b.writeUInt32LE(3, at)) },
  { check: 'LP308', what: 'xen_nop new_size 32 (over 31)', base: 'xen_nop', mutate: (b) => funcsField(b, 'newSize', (at) => b.writeUInt32LE(32, at)) },
  { check: 'LP309', what: "new_addr 0x1000, absolute (its relocation made R_X86_64_NONE)", base: hello, mutate: (b) => { const i = funcsRelocation(b, 8); setRelocationType(b, '.rela.livepatch.funcs', i, 0); setRelocationOffset(b, '.rela.livepatch.funcs', i, 40n); return funcsField(b, 'newAddr', (at) => b.writeBigUInt64LE(0x1000n, at)); } },
  { check: 'LP340', what: 'new_addr relocated against symbol 0 (STN_UNDEF)', base: hello, mutate: (b) => setRelocationSymbol(b, '.rela.livepatch.funcs', funcsRelocation(b, 8), 0) },
  { check: 'LP310', what: 'old_size 8, expect.enabled 1, len 10; uploaded, then applied', base: hello, mutate: (b) => { funcsField(b, 'oldSize', (at) => b.writeUInt32LE(8, at)); return funcsField(b, 'expect', (at) => (b[at] = (10 << 1) | 1)); } },
  { check: 'LP311', what: '.livepatch.hooks.load 12 bytes (pointers are 8)', base: hello, mutate: (b) => setSectionField(b, '.livepatch.hooks.load', 'size', 12n) },
  { check: 'LP312', what: '.text.hi_func flags AX to WAX', base: hello, mutate: (b) => setSectionField(b, '.text.hi_func', 'flags', shfAllocExec | shfWrite) },
  { check: 'LP313', what: ".modinfo's last NUL made 'X'", base: hello, mutate: (b) => lastByteOf(b, '.modinfo', 0x58) },
  { check: 'LP314', what: '.rodata.__func__.0 renamed .altinstructions', base: hello, mutate: (b) => renameSection(b, '.rodata.__func__.0', '.altinstructions') },
  { check: 'LP315', what: 'undefined printk renamed printz', base: hello, mutate: (b) => replaceInSection(b, '.strtab', 'printk', 'printz') },
  { check: 'LP316', what: 'global livepatch_xen_hello_world renamed xen_major_version', base: hello, mutate: (b) => replaceInSection(b, '.strtab', 'livepatch_xen_hello_world', 'xen_major_version') },
  { check: 'LP318', what: '.livepatch.funcs and both hook sections renamed (…X)', base: hello, mutate: (b) => ['.livepatch.funcs', '.livepatch.hooks.load', '.livepatch.hooks.unload'].reduce((bytes, s) => renameSection(bytes, s, `${s.slice(0, -1)}X`), b) },
  { check: 'LP325', what: "last byte of .livepatch.xen_depends' build-id flipped", base: hello, mutate: (b) => { const { offset, size } = sectionData(b, '.livepatch.xen_depends'); b[offset + size - 1] ^= 0xff; return b; } },
  { check: 'LP333', what: "name's section symbol moved to 0x10000 (section is 18 bytes)", base: hello, mutate: (b) => setSymbolValue(b, relocationSymbol(b, '.rela.livepatch.funcs', funcsRelocation(b, 0)), 0x10000n) },
  { check: 'LP334', what: 'load hook relocation addend 0x100000', base: hello, mutate: (b) => setRelocationAddend(b, '.rela.livepatch.hooks.load', 0, 0x100000n) },
  { check: 'LP335', what: 'old_addr relocation addend 10 (xen_extra_version is 12 bytes)', base: hello, mutate: (b) => setRelocationAddend(b, '.rela.livepatch.funcs', funcsRelocation(b, 16), 10n) },
  { check: 'LP336', what: '.bss.hello_world_loads 1 GiB', base: hello, mutate: (b) => setSectionField(b, '.bss.hello_world_loads', 'size', 1n << 30n) },
  { check: 'LP340', what: "hi_func's first relocation PC32 made R_X86_64_32S (11)", base: hello, mutate: (b) => setRelocationType(b, '.rela.text.hi_func', 0, 11) },
];
