import { AF, CF, DF, FIXED, FlagOp, OF, PARITY, PF, SF, STATUS, ZF } from './flagBits';

/** iced-x86 ConditionCode values. */
export const enum Cond {
  o = 1,
  no,
  b,
  ae,
  e,
  ne,
  be,
  a,
  s,
  ns,
  p,
  np,
  l,
  ge,
  le,
  g,
}

/**
 * Registers and flags. Each 64-bit register is two int32 halves in `lo`/`hi` (index = x86
 * register number, rax=0 ... r15=15). Arithmetic flags are lazy: the last flag-setting operation
 * stores its operands and result, and a flag is computed only when something reads it.
 */
export class CpuState {
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  ripLo = 0;
  ripHi = 0;

  // Lazy flags: operation, operand size in bits, destination a, source b, result r (lo/hi
  // halves; for sizes below 64 the value is in the lo half), and carry-in / preserved CF.
  fop: FlagOp = FlagOp.Bits;
  fsz = 64;
  fa = 0;
  fah = 0;
  fb = 0;
  fbh = 0;
  fr = 0;
  frh = 0;
  fc = 0;
  /** Status flags when fop is Bits. */
  bits = 0;
  df = 0;

  /** Scratch results of helpers that produce 64-bit values. */
  rl = 0;
  rh = 0;

  fsLo = 0;
  fsHi = 0;
  gsLo = 0;
  gsHi = 0;
  /** MSR_KERNEL_GS_BASE: what swapgs exchanges the %gs base with. */
  kernelGsLo = 0;
  kernelGsHi = 0;

  /** Index, inside the running block, of the instruction that may fault next. */
  k = 0;
  /** Instructions of the earlier passes of a looping block, in this call of it. */
  n = 0;

  setFlags(op: FlagOp, size: number, a: number, ah: number, b: number, bh: number, r: number, rh: number, carryIn: number): void {
    this.fop = op;
    this.fsz = size;
    this.fa = a;
    this.fah = ah;
    this.fb = b;
    this.fbh = bh;
    this.fr = r;
    this.frh = rh;
    this.fc = carryIn;
  }

  setBits(status: number): void {
    this.fop = FlagOp.Bits;
    this.bits = status;
  }

  private sign(lo: number, hi: number): number {
    return this.fsz === 64 ? hi >>> 31 : (lo >>> (this.fsz - 1)) & 1;
  }

  cf(): number {
    switch (this.fop) {
      case FlagOp.Bits:
        return this.bits & CF;
      case FlagOp.Add:
        return (this.fc ? ule(this.fr, this.frh, this.fa, this.fah) : ult(this.fr, this.frh, this.fa, this.fah)) ? 1 : 0;
      case FlagOp.Sub:
        return (this.fc ? ule(this.fa, this.fah, this.fb, this.fbh) : ult(this.fa, this.fah, this.fb, this.fbh)) ? 1 : 0;
      case FlagOp.Logic:
        return 0;
      case FlagOp.Imul:
        return imulOverflows(this.fsz, this.fa, this.fah, this.fb, this.fbh) ? 1 : 0;
      default:
        return this.fc;
    }
  }

  zf(): number {
    if (this.fop === FlagOp.Bits) return (this.bits & ZF) >>> 6;
    return (this.fr | this.frh) === 0 ? 1 : 0;
  }

  sf(): number {
    if (this.fop === FlagOp.Bits) return (this.bits & SF) >>> 7;
    return this.sign(this.fr, this.frh);
  }

  of(): number {
    switch (this.fop) {
      case FlagOp.Bits:
        return (this.bits & OF) >>> 11;
      case FlagOp.Add:
      case FlagOp.Inc:
        return this.sign((this.fa ^ this.fr) & (this.fb ^ this.fr), (this.fah ^ this.frh) & (this.fbh ^ this.frh));
      case FlagOp.Sub:
      case FlagOp.Dec:
        return this.sign((this.fa ^ this.fb) & (this.fa ^ this.fr), (this.fah ^ this.fbh) & (this.fah ^ this.frh));
      case FlagOp.Imul:
        return this.cf();
      default:
        return 0;
    }
  }

  pf(): number {
    if (this.fop === FlagOp.Bits) return (this.bits & PF) >>> 2;
    return PARITY[this.fr & 0xff] >>> 2;
  }

  af(): number {
    if (this.fop === FlagOp.Bits) return (this.bits & AF) >>> 4;
    if (this.fop === FlagOp.Logic || this.fop === FlagOp.Imul) return 0;
    return ((this.fa ^ this.fb ^ this.fr) >>> 4) & 1;
  }

  /** The six status flags at their RFLAGS positions. */
  status(): number {
    if (this.fop === FlagOp.Bits) return this.bits;
    return this.cf() | (this.pf() << 2) | (this.af() << 4) | (this.zf() << 6) | (this.sf() << 7) | (this.of() << 11);
  }

  rflags(): number {
    return this.status() | FIXED | (this.df ? DF : 0);
  }

  setRflags(value: number): void {
    this.setBits(value & STATUS);
    this.df = value & DF ? 1 : 0;
  }

  cond(cc: Cond): boolean {
    // prettier-ignore
    switch (cc) {
      case Cond.o: return this.of() === 1;
      case Cond.no: return this.of() === 0;
      case Cond.b: return this.cf() === 1;
      case Cond.ae: return this.cf() === 0;
      case Cond.e: return this.zf() === 1;
      case Cond.ne: return this.zf() === 0;
      case Cond.be: return (this.cf() | this.zf()) === 1;
      case Cond.a: return (this.cf() | this.zf()) === 0;
      case Cond.s: return this.sf() === 1;
      case Cond.ns: return this.sf() === 0;
      case Cond.p: return this.pf() === 1;
      case Cond.np: return this.pf() === 0;
      case Cond.l: return this.sf() !== this.of();
      case Cond.ge: return this.sf() === this.of();
      case Cond.le: return this.zf() === 1 || this.sf() !== this.of();
      case Cond.g: return this.zf() === 0 && this.sf() === this.of();
    }
  }
}

/** Unsigned a < b on (lo, hi) pairs. */
export function ult(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah >>> 0 < bh >>> 0;
}

export function ule(al: number, ah: number, bl: number, bh: number): boolean {
  return ah === bh ? al >>> 0 <= bl >>> 0 : ah >>> 0 < bh >>> 0;
}

/** Whether a signed product of two operands of `size` bits does not fit in `size` bits. */
function imulOverflows(size: number, a: number, ah: number, b: number, bh: number): boolean {
  if (size === 64) {
    const product = BigInt.asIntN(64, (BigInt(ah) << 32n) | BigInt(a >>> 0)) * BigInt.asIntN(64, (BigInt(bh) << 32n) | BigInt(b >>> 0));
    return product !== BigInt.asIntN(64, product);
  }
  const shift = 32 - size;
  const product = BigInt((a << shift) >> shift) * BigInt((b << shift) >> shift);
  return product !== BigInt.asIntN(size, product);
}
