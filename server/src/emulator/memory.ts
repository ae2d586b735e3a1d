import { fromPair, hex, hiOf, loOf } from './addr';
import { limits } from '../limits';
import { Access, addressSpaceExhausted, EmulatorError, GuestFault, GuestMemoryError } from './faults';

export const PAGE_SIZE = 4096n;
/** One past the highest guest address. */
export const ADDRESS_SPACE_END = 1n << 64n;

export enum Perm {
  None = 0,
  Read = 1,
  Write = 2,
  Exec = 4,
  RW = 3,
  RX = 5,
  RWX = 7,
}

/** A named address range, so a fault can say "stack guard page of task 'main'". */
export interface Region {
  name: string;
  start: bigint;
  end: bigint;
  /** Guard regions are never mapped: touching one is a fault with its name. */
  guard: boolean;
  /** What pages of a mapped region get when first touched. */
  perm: number;
}

interface Page {
  bytes: Uint8Array;
  view: DataView;
  perm: number;
  /** True while decoded instructions from this page sit in the CPU's cache. */
  code: boolean;
}

const TLB_SLOTS = 256;

/**
 * A sparse 64-bit address space of 4 KiB pages with permissions. The guest-facing accessors take
 * addresses as (lo, hi) int32 pairs and go through small direct-mapped caches (one for reads, one
 * for writes), so the common access is a compare and a DataView load. Host-facing helpers take
 * BigInt addresses.
 */
export class Memory {
  private readonly pages = new Map<number, Page>();
  private readonly regions: Region[] = [];
  private mappedBytes = 0n;
  private readonly readKeys = new Float64Array(TLB_SLOTS).fill(-1);
  private readonly readPages: Page[] = new Array<Page>(TLB_SLOTS);
  private readonly writeKeys = new Float64Array(TLB_SLOTS).fill(-1);
  private readonly writePages: Page[] = new Array<Page>(TLB_SLOTS);
  /** High half of the last 64-bit read (the low half is the return value). */
  hi = 0;
  /** Set when a write hit decoded code: the running block must stop and re-decode. */
  dirty = false;
  /** Called with a page number when bytes of a page holding decoded code change. */
  onCodeWrite: (key: number) => void = () => undefined;
  /** Bumped by every map, unmap and protect: what was unreadable stays so while it is unchanged. */
  layoutVersion = 0;
  /** Writes live-patch bytes by a patching protocol (smp/poke.ts); unset, they land at once. */
  textPoker: ((address: bigint, data: Uint8Array) => void) | undefined;

  // ---- mapping -------------------------------------------------------------------------------

  /**
   * Maps [start, start + size) with `perm`. No page is allocated here: a page gets its bytes when
   * first touched (zeros until written), so a payload's huge `.bss` costs nothing until used.
   * The mapped bytes count against the guest memory limit, which a mapping larger than what is
   * left is refused by, as is one running past the top of the address space.
   */
  map(start: bigint, size: bigint, perm: Perm, name: string): void {
    if (start % PAGE_SIZE !== 0n || size <= 0n) throw new EmulatorError(`map ${name}: ${hex(start)} is not page aligned or the size is empty`);
    const length = roundUp(size, PAGE_SIZE);
    const end = start + length;
    if (start < 0n || end > ADDRESS_SPACE_END) throw addressSpaceExhausted(name, start, size);
    const taken = this.regions.find((r) => !r.guard && r.start < end && start < r.end);
    if (taken) throw new EmulatorError(`map ${name}: page ${hex(taken.start > start ? taken.start : start)} is already mapped (${taken.name})`);
    const available = this.available();
    if (length > available) throw new GuestMemoryError(name, length, available);
    this.regions.push({ name, start, end, guard: false, perm });
    this.mappedBytes += length;
    this.layoutVersion++;
  }

  /** Bytes the guest memory limit (`limits().guestMemoryBytes`) still allows to map. */
  available(): bigint {
    const left = BigInt(limits().guestMemoryBytes) - this.mappedBytes;
    return left > 0n ? left : 0n;
  }

  /** Bytes mapped now (touched or not), what the guest memory limit counts. */
  get mapped(): bigint {
    return this.mappedBytes;
  }

  /** Pages that have bytes (were touched), for tests and the editor's memory view. */
  get residentPages(): number {
    return this.pages.size;
  }

  /**
   * Unmaps [start, start + size) (page-rounded) and forgets the regions there; decoded code on
   * those pages is dropped, so nothing runs stale bytes from freed memory.
   */
  unmap(start: bigint, size: bigint): void {
    const from = start & ~(PAGE_SIZE - 1n);
    const to = roundUp(start + size, PAGE_SIZE);
    this.carve(from, to);
    for (let i = this.regions.length - 1; i >= 0; i--) {
      const region = this.regions[i];
      if (region.guard || region.start < from || region.end > to) continue;
      this.regions.splice(i, 1);
      this.mappedBytes -= region.end - region.start;
    }
    this.forEachPage(from, to, (key, page) => {
      if (page.code) this.dropCode(key, page);
      this.pages.delete(key);
    });
    this.layoutVersion++;
    this.flushTlb();
  }

  /** Names an unmapped range so faults in it are reported by name (stack guard pages). */
  reserveGuard(start: bigint, size: bigint, name: string): void {
    this.regions.push({ name, start, end: start + size, guard: true, perm: Perm.None });
  }

  protect(start: bigint, size: bigint, perm: Perm): void {
    const from = start & ~(PAGE_SIZE - 1n);
    const to = roundUp(start + size, PAGE_SIZE);
    this.carve(from, to);
    let covered = 0n;
    for (const region of this.regions) {
      if (region.guard || region.start < from || region.end > to) continue;
      region.perm = perm;
      covered += region.end - region.start;
    }
    if (covered !== to - from) throw new EmulatorError(`protect: [${hex(from)}, ${hex(to)}) is not all mapped`);
    this.forEachPage(from, to, (_, page) => {
      page.perm = perm;
    });
    this.layoutVersion++;
    this.flushTlb();
  }

  isMapped(address: bigint): boolean {
    const a = address & (ADDRESS_SPACE_END - 1n);
    return this.pages.has(Number(a >> 12n)) || this.mappedRegionAt(a) !== undefined;
  }

  regionAt(address: bigint): Region | undefined {
    return this.regions.find((r) => address >= r.start && address < r.end);
  }

  private mappedRegionAt(address: bigint): Region | undefined {
    return this.regions.find((r) => !r.guard && address >= r.start && address < r.end);
  }

  /** Splits the mapped regions that straddle `from` or `to`, so each lies inside or outside [from, to). */
  private carve(from: bigint, to: bigint): void {
    for (const cut of [from, to]) {
      const region = this.mappedRegionAt(cut);
      if (!region || region.start === cut) continue;
      this.regions.push({ ...region, start: cut });
      region.end = cut;
    }
  }

  /** Calls `visit` for every page with bytes in [from, to), walking whichever is smaller: the range or the pages. */
  private forEachPage(from: bigint, to: bigint, visit: (key: number, page: Page) => void): void {
    const first = Number(from >> 12n);
    const last = Number((to - 1n) >> 12n);
    if (last - first + 1 > this.pages.size) {
      for (const [key, page] of [...this.pages]) if (key >= first && key <= last) visit(key, page);
      return;
    }
    for (let key = first; key <= last; key++) {
      const page = this.pages.get(key);
      if (page) visit(key, page);
    }
  }

  /** The page with bytes for `key`, given them on first touch when a mapped region holds it. */
  private page(key: number): Page | undefined {
    const known = this.pages.get(key);
    if (known) return known;
    const region = this.mappedRegionAt(BigInt(key) << 12n);
    if (!region) return undefined;
    const bytes = new Uint8Array(4096);
    const page: Page = { bytes, view: new DataView(bytes.buffer), perm: region.perm, code: false };
    this.pages.set(key, page);
    return page;
  }

  /** Marks a page as holding decoded code, so the next write to it invalidates that code. */
  markCode(key: number): void {
    const page = this.pages.get(key);
    if (!page) return;
    page.code = true;
    const slot = key & (TLB_SLOTS - 1);
    if (this.writeKeys[slot] === key) this.writeKeys[slot] = -1;
  }

  /** Bytes of an executable page, for the decoder; faults when the page cannot be executed. */
  codeBytes(lo: number, hi: number): Uint8Array {
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const page = this.page(key);
    if (!page || !(page.perm & Perm.Exec)) throw this.fault(lo, hi, 'execute', page);
    return page.bytes;
  }

  // ---- guest accessors (hot path) ------------------------------------------------------------

  r8(lo: number, hi: number): number {
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.readKeys[slot] === key ? this.readPages[slot] : this.readPage(key, lo, hi);
    return page.bytes[lo & 4095];
  }

  r16(lo: number, hi: number): number {
    const off = lo & 4095;
    if (off > 4094) return this.r8(lo, hi) | (this.r8(...step(lo, hi, 1)) << 8);
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.readKeys[slot] === key ? this.readPages[slot] : this.readPage(key, lo, hi);
    return page.view.getUint16(off, true);
  }

  /** A 32-bit read as a signed int32. */
  r32(lo: number, hi: number): number {
    const off = lo & 4095;
    if (off > 4092) return this.r16(lo, hi) | (this.r16(...step(lo, hi, 2)) << 16);
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.readKeys[slot] === key ? this.readPages[slot] : this.readPage(key, lo, hi);
    return page.view.getInt32(off, true);
  }

  /** A 64-bit read: returns the low int32, leaves the high int32 in `hi`. */
  r64(lo: number, hi: number): number {
    const off = lo & 4095;
    if (off > 4088) {
      const low = this.r32(lo, hi);
      this.hi = this.r32(...step(lo, hi, 4));
      return low;
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.readKeys[slot] === key ? this.readPages[slot] : this.readPage(key, lo, hi);
    this.hi = page.view.getInt32(off + 4, true);
    return page.view.getInt32(off, true);
  }

  w8(lo: number, hi: number, value: number): void {
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.writeKeys[slot] === key ? this.writePages[slot] : this.writePage(key, lo, hi);
    page.bytes[lo & 4095] = value;
  }

  w16(lo: number, hi: number, value: number): void {
    const off = lo & 4095;
    if (off > 4094) {
      this.w8(lo, hi, value);
      this.w8(...step(lo, hi, 1), value >>> 8);
      return;
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.writeKeys[slot] === key ? this.writePages[slot] : this.writePage(key, lo, hi);
    page.view.setUint16(off, value, true);
  }

  w32(lo: number, hi: number, value: number): void {
    const off = lo & 4095;
    if (off > 4092) {
      this.w16(lo, hi, value);
      this.w16(...step(lo, hi, 2), value >>> 16);
      return;
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.writeKeys[slot] === key ? this.writePages[slot] : this.writePage(key, lo, hi);
    page.view.setInt32(off, value, true);
  }

  w64(lo: number, hi: number, valueLo: number, valueHi: number): void {
    const off = lo & 4095;
    if (off > 4088) {
      this.w32(lo, hi, valueLo);
      this.w32(...step(lo, hi, 4), valueHi);
      return;
    }
    const key = (hi >>> 0) * 1048576 + (lo >>> 12);
    const slot = (lo >>> 12) & (TLB_SLOTS - 1);
    const page = this.writeKeys[slot] === key ? this.writePages[slot] : this.writePage(key, lo, hi);
    page.view.setInt32(off, valueLo, true);
    page.view.setInt32(off + 4, valueHi, true);
  }

  private readPage(key: number, lo: number, hi: number): Page {
    const page = this.page(key);
    if (!page || !(page.perm & Perm.Read)) throw this.fault(lo, hi, 'read', page);
    const slot = key & (TLB_SLOTS - 1);
    this.readKeys[slot] = key;
    this.readPages[slot] = page;
    return page;
  }

  private writePage(key: number, lo: number, hi: number): Page {
    const page = this.page(key);
    if (!page || !(page.perm & Perm.Write)) throw this.fault(lo, hi, 'write', page);
    if (page.code) this.dropCode(key, page);
    const slot = key & (TLB_SLOTS - 1);
    this.writeKeys[slot] = key;
    this.writePages[slot] = page;
    return page;
  }

  private dropCode(key: number, page: Page): void {
    page.code = false;
    this.dirty = true;
    this.onCodeWrite(key);
  }

  private flushTlb(): void {
    this.readKeys.fill(-1);
    this.writeKeys.fill(-1);
  }

  private fault(lo: number, hi: number, access: Access, page: Page | undefined): GuestFault {
    const address = fromPair(lo, hi);
    const region = this.regionAt(address);
    const what = page ? `${access} of a page without ${access} permission` : region?.guard ? `${access} in ${region.name}` : `${access} of an unmapped address`;
    const inside = region && !region.guard ? ` (in ${region.name})` : '';
    return new GuestFault('page-fault', `#PF: ${what} ${hex(address)}${inside}`, { address, access });
  }

  // ---- host accessors ------------------------------------------------------------------------

  /** Reads guest bytes; faults like the guest would when a page is unmapped or unreadable. */
  read(address: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.spans(
      address,
      length,
      (key, a) => (this.readKeys[key & (TLB_SLOTS - 1)] === key ? this.readPages[key & (TLB_SLOTS - 1)] : this.readPage(key, loOf(a), hiOf(a))),
      (page, offset, at, n) => out.set(page.bytes.subarray(offset, offset + n), at),
    );
    return out;
  }

  /**
   * [address, address + length) a page at a time (host reads of a task_struct, loads of
   * megabytes): `pageOf` faults on the first byte of a page that cannot be accessed, so the
   * fault still names the first byte, as byte by byte.
   */
  private spans(address: bigint, length: number, pageOf: (key: number, address: bigint) => Page, visit: (page: Page, offset: number, at: number, n: number) => void): void {
    for (let at = 0; at < length;) {
      const a = (address + BigInt(at)) & (ADDRESS_SPACE_END - 1n);
      const key = Number(a >> 12n);
      const offset = Number(a & 4095n);
      const n = Math.min(4096 - offset, length - at);
      visit(pageOf(key, a), offset, at, n);
      at += n;
    }
  }

  /**
   * Writes guest bytes. `force` writes through read-only and execute-only pages, as the kernel's
   * text_poke does; decoded code covering the bytes is dropped either way.
   */
  write(address: bigint, data: Uint8Array, options: { force?: boolean } = {}): void {
    const pageOf = (key: number, a: bigint): Page => {
      if (!options.force) return this.writeKeys[key & (TLB_SLOTS - 1)] === key ? this.writePages[key & (TLB_SLOTS - 1)] : this.writePage(key, loOf(a), hiOf(a));
      const page = this.page(key);
      if (!page) throw this.fault(loOf(a), hiOf(a), 'write', undefined);
      if (page.code) this.dropCode(key, page);
      return page;
    };
    this.spans(address, data.length, pageOf, (page, offset, at, n) => page.bytes.set(data.subarray(at, at + n), offset));
  }

  /** Writes a live patch into text (through read-only pages, as text_poke does), by the protocol installed. */
  pokeText(address: bigint, data: Uint8Array): void {
    if (this.textPoker) this.textPoker(address, data);
    else this.write(address, data, { force: true });
  }

  readU8(address: bigint): number {
    return this.r8(...pair(address));
  }

  readU32(address: bigint): number {
    return this.r32(...pair(address)) >>> 0;
  }

  readU64(address: bigint): bigint {
    const lo = this.r64(...pair(address));
    return fromPair(lo, this.hi);
  }

  writeU32(address: bigint, value: number): void {
    this.w32(...pair(address), value | 0);
  }

  writeU64(address: bigint, value: bigint): void {
    this.w64(...pair(address), loOf(value), hiOf(value));
  }

  /** A NUL-terminated string, at most `max` bytes, decoded as Latin-1 (kernel strings are bytes). */
  readCString(address: bigint, max = 4096): string {
    let text = '';
    let [lo, hi] = pair(address);
    for (let i = 0; i < max; i++) {
      const byte = this.r8(lo, hi);
      if (byte === 0) return text;
      text += String.fromCharCode(byte);
      [lo, hi] = step(lo, hi, 1);
    }
    return text;
  }

  /** Whether `text` and a NUL are the bytes at `address` (a string read before, still there); false where unreadable. */
  holdsCString(address: bigint, text: string): boolean {
    let [lo, hi] = pair(address);
    try {
      for (let i = 0; i <= text.length; i++) {
        if (this.r8(lo, hi) !== (i < text.length ? text.charCodeAt(i) : 0)) return false;
        [lo, hi] = step(lo, hi, 1);
      }
    } catch (error) {
      if (error instanceof GuestFault) return false;
      throw error;
    }
    return true;
  }

  writeCString(address: bigint, text: string): void {
    const bytes = Uint8Array.from(Buffer.from(text, 'latin1'));
    this.write(address, bytes);
    this.w8(...pair(address + BigInt(bytes.length)), 0);
  }
}

function roundUp(value: bigint, align: bigint): bigint {
  return ((value + align - 1n) / align) * align;
}

function pair(address: bigint): [number, number] {
  return [loOf(address), hiOf(address)];
}

function step(lo: number, hi: number, by: number): [number, number] {
  const sum = (lo >>> 0) + by;
  return [sum | 0, sum > 0xffffffff ? (hi + 1) | 0 : hi];
}
