import { Instruction, Mnemonic, OpKind } from 'iced-x86';
import { Emitter, memoryBits } from './emitter';
import { Val } from './generatedValue';
import { gpRegister } from './registers';

// Shifts and rotates by a constant, as straight-line JavaScript on the int32 halves. gcc emits them
// in every hash, bit-field access and address computation, and the next instruction nearly always
// overwrites their flags, so they run without the flag-computing helper when the flags are dead.

const SHIFTS = new Set<Mnemonic>([Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror]);

/**
 * The masked count of a 32- or 64-bit shift or rotate by a nonzero constant, else undefined. Such
 * an instruction certainly writes its flags (a zero count writes none), so flag liveness may treat
 * it like any inline flag store.
 */
export function constantShiftCount(ins: Instruction): number | undefined {
  if (!SHIFTS.has(ins.mnemonic)) return undefined;
  const op0 = ins.op0Kind;
  if (op0 !== OpKind.Register && op0 !== OpKind.Memory) return undefined;
  const width = op0 === OpKind.Register ? gpRegister(ins.op0Register)?.width : memoryBits(ins);
  if (width !== 32 && width !== 64) return undefined;
  let count = 1;
  if (ins.opCount > 1) {
    if (ins.op1Kind !== OpKind.Immediate8) return undefined;
    count = ins.immediate8;
  }
  count &= width === 64 ? 63 : 31;
  return count === 0 ? undefined : count;
}

/** Emits the shift or rotate without touching the flags (the caller knows they are dead). */
export function emitConstantShift(e: Emitter, n: number): void {
  const width = e.width(0);
  const a = e.read(0, width);
  const m = e.ins.mnemonic;
  const result = width === 64 ? shift64(e, m, a, n) : { l: shift32(m, a.l, n), h: '0' };
  e.write(0, result, width);
}

function shift32(m: Mnemonic, l: string, n: number): string {
  // prettier-ignore
  switch (m) {
    case Mnemonic.Shr: return `(${l}>>>${n})|0`;
    case Mnemonic.Sar: return `${l}>>${n}`;
    case Mnemonic.Rol: return `(${l}<<${n})|(${l}>>>${32 - n})`;
    case Mnemonic.Ror: return `(${l}>>>${n})|(${l}<<${32 - n})`;
    default: return `${l}<<${n}`;
  }
}

function shift64(e: Emitter, m: Mnemonic, a: Val, n: number): Val {
  const { l, h } = a;
  if (m === Mnemonic.Rol || m === Mnemonic.Ror) {
    const left = m === Mnemonic.Rol ? n : 64 - n;
    // Rotating by 32 or more is a swap of the halves and a rotation by the rest.
    const [x, y] = left >= 32 ? [h, l] : [l, h];
    const k = left & 31;
    if (k === 0) return { l: x, h: y };
    return { l: e.bind(`(${x}<<${k})|(${y}>>>${32 - k})`, 'r'), h: e.bind(`(${y}<<${k})|(${x}>>>${32 - k})`, 'r') };
  }
  if (m === Mnemonic.Shr || m === Mnemonic.Sar) {
    const fill = m === Mnemonic.Sar ? `${h}>>31` : '0';
    const op = m === Mnemonic.Sar ? '>>' : '>>>';
    if (n >= 32) return { l: e.bind(`(${h}${op}${n - 32})|0`, 'r'), h: fill };
    return { l: e.bind(`(${l}>>>${n})|(${h}<<${32 - n})`, 'r'), h: e.bind(`(${h}${op}${n})|0`, 'r') };
  }
  if (n >= 32) return { l: '0', h: e.bind(`${l}<<${n - 32}`, 'r') };
  return { l: e.bind(`${l}<<${n}`, 'r'), h: e.bind(`(${h}<<${n})|(${l}>>>${32 - n})`, 'r') };
}
