import { FindingSink, XenRefusal } from '../../checks/payload/context';
import { checkXenFuncs } from '../../checks/payload/xenFuncs';
import { CodeAt, checkNameAndHookPointers, checkOldAddress, located, PayloadPointer, PointerView } from '../../checks/payload/pointers';
import { replacementSymbols } from '../../checks/payload/xenUpload';
import { payloadChecks } from '../../checks/payload/ids';
import type { XenLoaderEnv } from '../../checks/payload/context';
import { panic } from './panic';
import { Finding } from '../../checks/finding';
import { ElfFile, ElfSection, SHF } from '../../elf';
import { decodePayloadBytesOpen, endbr64Length, hookKinds, hookSection, HookKind, patchInsnSize, XenPayload } from '../../payload';
import { limits } from '../../limits';
import { xenMayDefine } from '../../target/xenSymbolView';
import { funcField } from '../../payload/xen/funcsLayout';
import { hex } from '../addr';
import { GuestMemoryError } from '../faults';
import { LoaderError, LoadedImage } from '../loader';
import { Memory, PAGE_SIZE } from '../memory';
import { LIVEPATCH_STATE_CHECKED } from './abi';
import { ErrnoName } from '../errno';
import { funcEntrySize, fstateSize, payloadStructSize, readGuestFunc, writeOldAddr } from './guestLayout';
import { Hypervisor, lookupSymbol } from './hypervisor';
import { GuestRegion, LoadedPayload } from './payloadRecord';
import { writePayloadStruct } from './payloadStruct';
import { startsWithEndbr } from './x86Patch';
import { applyAlternatives } from './alternatives';
import { payloadRegion } from './virtualRegion';
import { uploadChecks } from './uploadChecks';

/** Upload refused: the console already has Xen's message (when Xen prints one). */
export class UploadError extends Error {
  constructor(readonly errno: ErrnoName) {
    super(errno);
    this.name = 'UploadError';
  }
}

/**
 * load_payload_data(): the upload-time checks (shared with the payload inspector, so both say
 * the same), symbol resolution against the hypervisor and earlier payloads, placement and
 * relocation, old_addr name lookup, the checks that need addresses, then the payload record.
 */
export function loadPayloadData(h: Hypervisor, name: string, bytes: Buffer): LoadedPayload {
  const { opened, elf } = decodePayloadBytesOpen(bytes, `${name}.livepatch`);
  try {
    const env = loaderEnv(h);
    const findings = uploadChecks(opened, bytes, h.buildId, env);
    const fault = findings.find((f) => f.code === payloadChecks.xenLoader.id && !f.data);
    // What Xen 4.17 follows unchecked during the upload takes it down: the emulated one too.
    if (fault) panic(h.console, `FATAL PAGE FAULT\nlivepatch: ${name}: ${fault.message}`);
    const payload = opened.payload;
    // prepare_payload() finds a loaded payload's build-id before build_symbol_table() finds its
    // symbols again: the walk above knows no loaded payload, so this comes first. Xen's "Already
    // loaded as" is a dprintk: a release build (Debian's) prints nothing.
    const duplicate = payload?.kind === 'xen' && payload.buildId && h.payloads.find((p) => p.buildId === payload.buildId?.buildId);
    if (duplicate) refuse(h, name, 'EEXIST');
    refuseOnFindings(h, name, findings);
    if (payload?.kind !== 'xen' || !elf) return refuse(h, name, 'EINVAL', '.livepatch.depends is missing');
    resolveSymbols(h, name, payload, env);
    checkNewSymbols(h, name, payload);
    const image = place(h, name, elf);
    try {
      return record(h, name, payload, elf, image);
    } catch (error) {
      h.machine.unloadObject(image);
      throw error;
    }
  } finally {
    elf?.close();
  }
}

function refuse(h: Hypervisor, name: string, errno: ErrnoName, message?: string): never {
  if (message) h.console.printk(`livepatch: ${name}: ${message}`);
  throw new UploadError(errno);
}

/** The first refusal decides, as the first failing step does in Xen; its console lines are printed. */
function refuseOnFindings(h: Hypervisor, name: string, findings: Finding[]): void {
  const refused = findings.find((f) => {
    const refusal = f.data as XenRefusal | undefined;
    return refusal?.errno && refusal.stage !== 'apply';
  });
  const refusal = refused?.data as XenRefusal | undefined;
  if (!refused || !refusal) return;
  for (const line of refusal.console ?? []) h.console.printk(line);
  if (!refusal.console?.length) h.console.note(`${name}: Xen refuses this payload without a message: ${refused.code} ${refused.message}`);
  throw new UploadError(refusal.errno);
}

/** The hypervisor Xen's walk of a payload (checks/payload/xenLoader.ts) loads into: this one. */
function loaderEnv(h: Hypervisor): XenLoaderEnv {
  const end = h.machine.images.find((image) => image.kind === 'executable')?.end ?? 0n;
  const twoMiB = 2n << 20n;
  return {
    lookup: (symbol) => lookupSymbol(h, symbol) ?? (xenMayDefine(symbol) ? h.machine.nativeAddress(symbol) : undefined),
    buildId: h.buildId,
    base: ((end + twoMiB - 1n) & ~(twoMiB - 1n)) + twoMiB,
  };
}

/** livepatch_elf_resolve_symbols(): against the hypervisor and the payloads loaded before. */
function resolveSymbols(h: Hypervisor, name: string, payload: XenPayload, env: XenLoaderEnv): void {
  for (const symbol of payload.symbols.undefinedNames) if (env.lookup!(symbol) === undefined) refuse(h, name, 'ENOENT', `Unknown symbol: ${symbol}`);
}

/** build_symbol_table(): a new symbol may not take a name the hypervisor or a payload has. */
function checkNewSymbols(h: Hypervisor, name: string, payload: XenPayload): void {
  const replacements = replacementSymbols(payload);
  for (const symbol of payload.symbols.definedGlobals) {
    if (!replacements.has(symbol.name) && lookupSymbol(h, symbol.name) !== undefined) refuse(h, name, 'EEXIST', `duplicate new symbol: ${symbol.name}`);
  }
}

function place(h: Hypervisor, name: string, elf: ElfFile): LoadedImage {
  try {
    const image = h.machine.loadObject(elf, name);
    image.payload = true;
    return image;
  } catch (error) {
    if (error instanceof LoaderError) refuse(h, name, 'EINVAL', error.message.slice(error.file.length + 2));
    if (error instanceof GuestMemoryError) {
      // move_payload(): vmalloc_xen() of the payload's pages failed. Xen's line names only the
      // payload; the second line is ours, saying which section and which limit.
      h.console.printk(`livepatch: ${name}: Could not allocate memory for payload`);
      refuse(h, name, 'ENOMEM', error.message);
    }
    throw error;
  }
}

function record(h: Hypervisor, name: string, payload: XenPayload, elf: ElfFile, image: LoadedImage): LoadedPayload {
  const memory = h.machine.memory;
  const sections = allocatedSections(elf, image);
  const funcsSection = sections.find((s) => s.elf.name === '.livepatch.funcs');
  const funcs = funcsSection ? Array.from({ length: Number(funcsSection.elf.size / funcEntrySize) }, (_, i) => funcsSection.address + BigInt(i) * funcEntrySize) : [];
  const hooks: Partial<Record<HookKind, bigint[]>> = {};
  for (const kind of hookKinds) {
    const section = sections.find((s) => s.elf.name === hookSection(kind));
    if (section) hooks[kind] = Array.from({ length: Number(section.elf.size / 8n) }, (_, i) => memory.readU64(section.address + BigInt(i) * 8n));
  }
  // What relocation wrote is judged before the hypervisor follows any of it (names, hooks, old_addr).
  refuseOnFindings(
    h,
    name,
    findingsOf(name, (sink) => checkNameAndHookPointers(sink, payload, guestPointers(memory, sections, funcs, hooks))),
  );
  funcs.forEach((address) => resolveOldAddress(h, name, address));
  const placed = funcs.map((address) => readGuestFunc(memory, address));
  refuseOnFindings(
    h,
    name,
    findingsOf(name, (sink) =>
      payload.funcs.forEach((f) => placed[f.index] && checkOldAddress(sink, payload, f, placed[f.index].oldAddr, hex(placed[f.index].oldAddr), codeAt(h))),
    ),
  );
  for (const func of placed) if (func.newAddr && func.oldSize < patchInsnSize + endbr64Length && startsWithEndbr(memory, func.oldAddr)) refuse(h, name, 'EINVAL');
  refuseOnFindings(
    h,
    name,
    findingsOf(name, (sink) => checkXenFuncs(sink, payload, { placement: (i) => ({ oldAddress: placed[i]?.oldAddr, newAddress: placed[i]?.newAddr || undefined }) })),
  );
  const replacementAddresses = new Set(placed.map((f) => f.newAddr));
  const writable = sections.filter((s) => s.elf.flags & SHF.WRITE);
  const text = region(sections.filter((s) => s.elf.flags & SHF.EXECINSTR));
  applyAlternatives(memory, h.console, image);
  const p: LoadedPayload = {
    name,
    state: LIVEPATCH_STATE_CHECKED,
    rc: 0,
    reverted: false,
    safeToReapply: writable.length === 0 || (writable.length === 1 && writable[0].elf.name === '.livepatch.funcs'),
    image,
    text,
    rw: region(writable),
    ro: region(sections.filter((s) => !(s.elf.flags & (SHF.EXECINSTR | SHF.WRITE)))),
    pages: Number((image.end - image.start) / PAGE_SIZE),
    region: payloadRegion(name, text, image),
    struct: h.machine.allocate(payloadStructSize, `struct payload ${name}`),
    funcs,
    fstate: h.machine.allocate(fstateSize * BigInt(Math.max(funcs.length, 1)), `livepatch_fstate[] of ${name}`),
    hooks,
    buildId: payload.buildId?.buildId ?? '',
    depends: payload.depends?.buildId ?? '',
    xenDepends: payload.xenDepends?.buildId ?? '',
    metadata: elf.section('.modinfo') ? elf.sectionData(elf.section('.modinfo')!) : Buffer.alloc(0),
    newSymbols: new Map(
      image.symbols
        .filter((s) => !replacementAddresses.has(s.address))
        .reverse()
        .map((s) => [s.name, s.address]),
    ),
  };
  writePayloadStruct(memory, p);
  return p;
}

/** resolve_old_address(): a 0 old_addr is looked up by name, the hypervisor's symbols first. */
function resolveOldAddress(h: Hypervisor, name: string, address: bigint): void {
  const func = readGuestFunc(h.machine.memory, address);
  if (func.oldAddr) return;
  writeOldAddr(h.machine.memory, address, lookupSymbol(h, func.name) ?? refuse(h, name, 'ENOENT', `Could not resolve old address of ${func.name}`));
}

function findingsOf(name: string, check: (sink: FindingSink) => void): Finding[] {
  const sink = new FindingSink(name);
  check(sink);
  return sink.findings;
}

/** The pointers as relocation left them in guest memory, located in the sections the loader placed. */
function guestPointers(memory: Memory, sections: PlacedSection[], funcs: bigint[], hooks: Partial<Record<HookKind, bigint[]>>): PointerView {
  const at = (address: bigint): PayloadPointer => {
    if (address === 0n) return { kind: 'null' };
    const placed = sections.find((s) => address >= s.address && address - s.address < s.elf.size);
    if (!placed) return { kind: 'outside', text: hex(address), why: 'in none of the sections the payload was placed in' };
    const offset = address - placed.address;
    const room = Number(placed.elf.size - offset < BigInt(limits().stringBytes) ? placed.elf.size - offset : BigInt(limits().stringBytes));
    const text = memory.readCString(address, room);
    return located(placed.elf, offset, `${hex(address)} (${placed.elf.name}+0x${offset.toString(16)})`, text.length < room ? text : undefined);
  };
  return {
    name: (f) => (funcs[f.index] === undefined ? { kind: 'null' } : at(memory.readU64(funcs[f.index] + funcField.name))),
    hook: (kind, index) => at(hooks[kind]?.[index] ?? 0n),
  };
}

/** Code old_addr may name: a function of the hypervisor or of a payload (never a native's stub). */
const codeAt =
  (h: Hypervisor): CodeAt =>
  (address) => {
    const symbol = h.machine.symbols.at(address)?.symbol;
    return symbol && symbol.kind === 'function' && symbol.image !== 'natives' ? symbol : undefined;
  };

interface PlacedSection {
  elf: ElfSection;
  address: bigint;
}

/** The loader's sections beside their ELF headers (it keeps SHF_ALLOC, non-empty ones, in order). */
/** Where the loader put each section, paired by the section's index. */
function allocatedSections(elf: ElfFile, image: LoadedImage): PlacedSection[] {
  return image.sections.map((placed) => ({ elf: elf.sections[placed.index], address: placed.address }));
}

function region(sections: PlacedSection[]): GuestRegion {
  if (!sections.length) return { address: 0n, size: 0n };
  const start = sections.reduce((m, s) => (s.address < m ? s.address : m), sections[0].address);
  const end = sections.reduce((m, s) => (s.address + s.elf.size > m ? s.address + s.elf.size : m), 0n);
  return { address: start, size: end - start };
}
