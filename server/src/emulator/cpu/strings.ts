import { Memory } from '../memory';
import { FlagOp } from './flagBits';
import { CpuState } from './state';

// MOVS, STOS, LODS, SCAS, CMPS with REP/REPE/REPNE and the direction flag. The loop runs at most
// until RCX reaches zero or a pointer walks off mapped memory, which faults, so it always ends.

const enum Kind {
  Movs,
  Stos,
  Lods,
  Scas,
  Cmps,
}
const RCX = 1;
const RSI = 6;
const RDI = 7;

function advance(L: Int32Array, H: Int32Array, reg: number, delta: number): void {
  const sum = (L[reg] >>> 0) + delta;
  L[reg] = sum | 0;
  if (sum > 0xffffffff) H[reg] = (H[reg] + 1) | 0;
  else if (sum < 0) H[reg] = (H[reg] - 1) | 0;
}

function load(m: Memory, lo: number, hi: number, size: number): number {
  if (size === 1) return m.r8(lo, hi);
  if (size === 2) return m.r16(lo, hi);
  if (size === 4) return m.r32(lo, hi);
  return m.r64(lo, hi);
}

function store(m: Memory, lo: number, hi: number, size: number, value: number, valueHi: number): void {
  if (size === 1) m.w8(lo, hi, value);
  else if (size === 2) m.w16(lo, hi, value);
  else if (size === 4) m.w32(lo, hi, value);
  else m.w64(lo, hi, value, valueHi);
}

function accumulator(L: Int32Array, size: number): number {
  return size === 1 ? L[0] & 0xff : size === 2 ? L[0] & 0xffff : L[0];
}

function compare(c: CpuState, size: number, a: number, ah: number, b: number, bh: number): void {
  const width = size * 8;
  if (width === 64) {
    const s = (a >>> 0) - (b >>> 0);
    c.setFlags(FlagOp.Sub, 64, a, ah, b, bh, s | 0, (ah - bh - (s < 0 ? 1 : 0)) | 0, 0);
  } else {
    const r = width === 32 ? (a - b) | 0 : (a - b) & ((1 << width) - 1);
    c.setFlags(FlagOp.Sub, width, a, 0, b, 0, r, 0, 0);
  }
}

export function string(c: CpuState, m: Memory, L: Int32Array, H: Int32Array, kind: Kind, size: number, rep: number): void {
  const delta = c.df ? -size : size;
  for (;;) {
    if (rep && L[RCX] === 0 && H[RCX] === 0) return;
    // prettier-ignore
    switch (kind) {
      case Kind.Movs: {
        const v = load(m, L[RSI], H[RSI], size);
        store(m, L[RDI], H[RDI], size, v, m.hi);
        advance(L, H, RSI, delta);
        advance(L, H, RDI, delta);
        break;
      }
      case Kind.Stos:
        store(m, L[RDI], H[RDI], size, L[0], H[0]);
        advance(L, H, RDI, delta);
        break;
      case Kind.Lods: {
        const v = load(m, L[RSI], H[RSI], size);
        if (size === 8) { L[0] = v; H[0] = m.hi; }
        else if (size === 4) { L[0] = v; H[0] = 0; }
        else L[0] = (L[0] & (size === 1 ? -256 : -65536)) | v;
        advance(L, H, RSI, delta);
        break;
      }
      case Kind.Scas: {
        const v = load(m, L[RDI], H[RDI], size);
        compare(c, size, accumulator(L, size), size === 8 ? H[0] : 0, v, size === 8 ? m.hi : 0);
        advance(L, H, RDI, delta);
        break;
      }
      case Kind.Cmps: {
        const a = load(m, L[RSI], H[RSI], size);
        const ah = m.hi;
        const b = load(m, L[RDI], H[RDI], size);
        compare(c, size, a, size === 8 ? ah : 0, b, size === 8 ? m.hi : 0);
        advance(L, H, RSI, delta);
        advance(L, H, RDI, delta);
        break;
      }
    }
    if (!rep) return;
    advance(L, H, RCX, -1);
    if (kind === Kind.Scas || kind === Kind.Cmps) {
      const zero = c.zf();
      if ((rep === 1 && !zero) || (rep === 2 && zero)) return;
    }
  }
}
