import { GuestFault } from '../faults';
import { CF, OF, PARITY, SF, ZF } from './flagBits';
import { CpuState } from './state';

// The arithmetic the code generator does not inline: shifts, rotates, multiply, divide, bit scans.
// Values follow the generator's convention: sizes below 64 pass the value in `lo` (int32 for 32
// bits, masked and non-negative for 8/16); 64-bit values are (lo, hi) int32 halves. Each helper
// returns the low half and leaves the high half of a 64-bit result in `c.rh`.

const TWO32 = 4294967296;

function mask(size: number): number {
  return size === 32 ? -1 : (1 << size) - 1;
}

function norm(size: number, v: number): number {
  return size === 32 ? v | 0 : v & mask(size);
}

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function resultBits(size: number, lo: number, hi: number): number {
  const zero = size === 64 ? (lo | hi) === 0 : norm(size, lo) === 0;
  const sign = size === 64 ? hi >>> 31 : (lo >>> (size - 1)) & 1;
  return (zero ? ZF : 0) | (sign ? SF : 0) | PARITY[lo & 0xff];
}

function setLoHi(c: CpuState, value: bigint): number {
  c.rh = Number(BigInt.asIntN(32, value >> 32n));
  return Number(BigInt.asIntN(32, value));
}

// ---- 64-bit pair shifts ----------------------------------------------------------------------

function shl64(c: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  if (n >= 32) {
    c.rh = lo << (n - 32);
    return 0;
  }
  c.rh = (hi << n) | (lo >>> (32 - n));
  return lo << n;
}

function shr64(c: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  if (n >= 32) {
    c.rh = 0;
    return (hi >>> (n - 32)) | 0;
  }
  c.rh = (hi >>> n) | 0;
  return (lo >>> n) | (hi << (32 - n));
}

function sar64(c: CpuState, lo: number, hi: number, n: number): number {
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  if (n >= 32) {
    c.rh = hi >> 31;
    return hi >> (n - 32);
  }
  c.rh = hi >> n;
  return (lo >>> n) | (hi << (32 - n));
}

/** Bit `n` of a value of `size` bits (0 when n is out of range). */
function bitAt(size: number, lo: number, hi: number, n: number): number {
  if (n < 0 || n >= size) return 0;
  return n >= 32 ? (hi >>> (n - 32)) & 1 : (lo >>> n) & 1;
}

function msb(size: number, lo: number, hi: number): number {
  return bitAt(size, lo, hi, size - 1);
}

/** SHL, SHR, SAR: `kind` 0, 1, 2. Count 0 leaves value and flags alone. */
export function shift(c: CpuState, kind: number, size: number, lo: number, hi: number, count: number): number {
  const n = count & (size === 64 ? 63 : 31);
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  let rl: number;
  let rh = 0;
  let cf: number;
  let of: number;
  if (size === 64) {
    if (kind === 0) rl = shl64(c, lo, hi, n);
    else if (kind === 1) rl = shr64(c, lo, hi, n);
    else rl = sar64(c, lo, hi, n);
    rh = c.rh;
    cf = kind === 0 ? bitAt(64, lo, hi, 64 - n) : bitAt(64, lo, hi, n - 1);
  } else {
    const v = lo & mask(size);
    if (kind === 0) {
      rl = n >= 32 ? 0 : norm(size, v << n);
      cf = n <= size ? bitAt(size, v, 0, size - n) : 0;
    } else if (kind === 1) {
      rl = n >= 32 ? 0 : norm(size, v >>> n);
      cf = n <= size ? bitAt(size, v, 0, n - 1) : 0;
    } else {
      const signed = (v << (32 - size)) >> (32 - size);
      rl = norm(size, signed >> Math.min(n, 31));
      cf = (signed >> Math.min(n - 1, 31)) & 1;
    }
    c.rh = 0;
  }
  if (kind === 0) of = msb(size, rl, rh) ^ cf;
  else if (kind === 1) of = msb(size, lo, hi);
  else of = 0;
  c.setBits(resultBits(size, rl, rh) | (cf ? CF : 0) | (of ? OF : 0));
  return rl;
}

/** ROL, ROR (kind 0, 1): only CF and OF change. */
export function rotate(c: CpuState, kind: number, size: number, lo: number, hi: number, count: number): number {
  const masked = count & (size === 64 ? 63 : 31);
  if (masked === 0) {
    c.rh = hi;
    return lo;
  }
  const n = masked % size;
  const left = kind === 0 ? n : (size - n) % size;
  let rl: number;
  let rh = 0;
  if (size === 64) {
    const al = shl64(c, lo, hi, left);
    const ah = c.rh;
    const bl = left === 0 ? 0 : shr64(c, lo, hi, 64 - left);
    const bh = left === 0 ? 0 : c.rh;
    rl = al | bl;
    rh = ah | bh;
  } else {
    const v = lo & mask(size);
    rl = left === 0 ? norm(size, v) : norm(size, (v << left) | (v >>> (size - left)));
  }
  c.rh = rh;
  const status = c.status() & ~(CF | OF);
  let cf: number;
  let of: number;
  if (kind === 0) {
    cf = rl & 1;
    of = msb(size, rl, rh) ^ cf;
  } else {
    cf = msb(size, rl, rh);
    of = cf ^ bitAt(size, rl, rh, size - 2);
  }
  c.setBits(status | (cf ? CF : 0) | (of ? OF : 0));
  return rl;
}

/** RCL, RCR (kind 0, 1): rotate through CF; rare in compiled code, so BigInt is fine. */
export function rotateCarry(c: CpuState, kind: number, size: number, lo: number, hi: number, count: number): number {
  const masked = count & (size === 64 ? 63 : 31);
  const n = size < 32 ? masked % (size + 1) : masked;
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  const width = BigInt(size + 1);
  const all = (1n << width) - 1n;
  const oldCf = c.cf();
  const value = (BigInt(oldCf) << BigInt(size)) | BigInt.asUintN(size, big(lo, hi));
  const shiftBy = BigInt(kind === 0 ? n : size + 1 - n);
  const rotated = ((value << shiftBy) | (value >> (width - shiftBy))) & all;
  const cf = Number(rotated >> BigInt(size));
  const result = BigInt.asUintN(size, rotated);
  const rl = setLoHi(c, result);
  const rh = size === 64 ? c.rh : 0;
  if (size < 64) c.rh = 0;
  const top = msb(size, rl, rh);
  const of = kind === 0 ? top ^ cf : top ^ bitAt(size, rl, rh, size - 2);
  c.setBits((c.status() & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0));
  return size === 32 ? rl | 0 : rl;
}

/** SHLD, SHRD (kind 0, 1): shift `dst` and fill from `src`. */
export function shiftDouble(c: CpuState, kind: number, size: number, lo: number, hi: number, srcLo: number, srcHi: number, count: number): number {
  const n = count & (size === 64 ? 63 : 31);
  if (n === 0) {
    c.rh = hi;
    return lo;
  }
  const width = BigInt(size);
  const dst = BigInt.asUintN(size, big(lo, hi));
  const src = BigInt.asUintN(size, big(srcLo, srcHi));
  const bn = BigInt(n);
  let result: bigint;
  let cf: number;
  if (kind === 0) {
    const joined = (dst << width) | src;
    result = BigInt.asUintN(size, (joined << bn) >> width);
    cf = Number((dst >> (width - bn)) & 1n);
  } else {
    const joined = (src << width) | dst;
    result = BigInt.asUintN(size, joined >> bn);
    cf = Number((dst >> (bn - 1n)) & 1n);
  }
  const rl = norm(size === 64 ? 32 : size, setLoHi(c, result));
  const rh = size === 64 ? c.rh : 0;
  if (size < 64) c.rh = 0;
  const of = msb(size, rl, rh) ^ msb(size, lo, hi);
  c.setBits(resultBits(size, rl, rh) | (cf ? CF : 0) | (of ? OF : 0));
  return rl;
}

// ---- multiply and divide ---------------------------------------------------------------------

/** Low 64 bits of a 64x64 product, without BigInt: the hot path of hashing and division by constants. */
export function mulLow64(c: CpuState, al: number, ah: number, bl: number, bh: number): number {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (mid % 65536) * 65536;
  const high = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32);
  c.rh = (high + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
  return low | 0;
}

/** Two- and three-operand IMUL: the truncated product; flags evaluate lazily from the operands. */
export function imulTrunc(c: CpuState, size: number, al: number, ah: number, bl: number, bh: number, flags: boolean): number {
  let rl: number;
  if (size === 64) {
    rl = mulLow64(c, al, ah, bl, bh);
  } else {
    rl = norm(size, Math.imul(al, bl));
    c.rh = 0;
  }
  if (flags) c.setFlags(6 /* FlagOp.Imul */, size, al, size === 64 ? ah : 0, bl, size === 64 ? bh : 0, rl, c.rh, 0);
  return rl;
}

/**
 * One-operand MUL / IMUL (signed when `signed`): rDX:rAX = rAX * src (AX = AL * src for bytes).
 * Returns [low, high] of the double-width product as BigInts already truncated to `size` bits.
 */
export function widenMul(c: CpuState, signed: boolean, size: number, a: bigint, b: bigint): [bigint, bigint] {
  const width = BigInt(size);
  const product = signed ? BigInt.asIntN(size, a) * BigInt.asIntN(size, b) : BigInt.asUintN(size, a) * BigInt.asUintN(size, b);
  const low = BigInt.asUintN(size, product);
  const high = BigInt.asUintN(size, product >> width);
  const overflow = signed ? product !== BigInt.asIntN(size, product) : high !== 0n;
  const lowLo = Number(BigInt.asIntN(32, low));
  const lowHi = Number(BigInt.asIntN(32, low >> 32n));
  c.setBits(resultBits(size, lowLo, lowHi) | (overflow ? CF | OF : 0));
  return [low, high];
}

/** DIV / IDIV of the double-width dividend high:low by `divisor`; raises #DE like the CPU. */
export function divide(signed: boolean, size: number, high: bigint, low: bigint, divisor: bigint): [bigint, bigint] {
  const width = BigInt(size);
  if (BigInt.asUintN(size, divisor) === 0n) throw new GuestFault('divide-error', '#DE: division by zero');
  let quotient: bigint;
  let remainder: bigint;
  if (signed) {
    const dividend = BigInt.asIntN(size * 2, (BigInt.asUintN(size, high) << width) | BigInt.asUintN(size, low));
    const d = BigInt.asIntN(size, divisor);
    quotient = dividend / d;
    remainder = dividend % d;
    if (quotient !== BigInt.asIntN(size, quotient)) throw new GuestFault('divide-error', '#DE: quotient does not fit (idiv overflow)');
  } else {
    const dividend = (BigInt.asUintN(size, high) << width) | BigInt.asUintN(size, low);
    const d = BigInt.asUintN(size, divisor);
    quotient = dividend / d;
    remainder = dividend % d;
    if (quotient >> width) throw new GuestFault('divide-error', '#DE: quotient does not fit (div overflow)');
  }
  return [BigInt.asUintN(size, quotient), BigInt.asUintN(size, remainder)];
}

// ---- bit operations --------------------------------------------------------------------------

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function lowestBit(size: number, lo: number, hi: number): number {
  const l = size === 64 ? lo : lo & mask(size);
  if (l !== 0) return 31 - Math.clz32(l & -l);
  if (size === 64 && hi !== 0) return 63 - Math.clz32(hi & -hi);
  return -1;
}

function highestBit(size: number, lo: number, hi: number): number {
  if (size === 64 && hi !== 0) return 63 - Math.clz32(hi);
  const l = size === 64 ? lo : lo & mask(size);
  return l !== 0 ? 31 - Math.clz32(l) : -1;
}

/**
 * BSF, BSR, TZCNT, LZCNT, POPCNT (kind 0..4). For BSF/BSR of zero the destination is left
 * unchanged (what every x86-64 CPU does); `keep` is its current value.
 */
export function bitScan(c: CpuState, kind: number, size: number, lo: number, hi: number, keepLo: number, keepHi: number): number {
  const zero = size === 64 ? (lo | hi) === 0 : (lo & mask(size)) === 0;
  c.rh = 0;
  // prettier-ignore
  switch (kind) {
    case 0:
    case 1: {
      const status = c.status() & ~ZF;
      if (zero) { c.setBits(status | ZF); c.rh = keepHi; return keepLo; }
      c.setBits(status);
      return kind === 0 ? lowestBit(size, lo, hi) : highestBit(size, lo, hi);
    }
    case 2: {
      const n = zero ? size : lowestBit(size, lo, hi);
      c.setBits((c.status() & ~(CF | ZF)) | (zero ? CF : 0) | (n === 0 ? ZF : 0));
      return n;
    }
    case 3: {
      const n = zero ? size : size - 1 - highestBit(size, lo, hi);
      c.setBits((c.status() & ~(CF | ZF)) | (zero ? CF : 0) | (n === 0 ? ZF : 0));
      return n;
    }
    default: {
      const n = size === 64 ? popcount32(lo) + popcount32(hi) : popcount32(lo & mask(size));
      c.setBits(n === 0 ? ZF : 0);
      return n;
    }
  }
}

/** CF := the selected bit; only CF is defined, the other status flags keep their values. */
export function setCarry(c: CpuState, bit: number): void {
  c.setBits((c.status() & ~CF) | (bit ? CF : 0));
}

export function bswap(c: CpuState, size: number, lo: number, hi: number): number {
  const swap32 = (v: number) => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  if (size === 64) {
    c.rh = swap32(lo);
    return swap32(hi);
  }
  c.rh = 0;
  return swap32(lo);
}
