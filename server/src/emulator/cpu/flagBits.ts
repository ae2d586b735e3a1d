// RFLAGS bit positions and the parity table the lazy flag evaluation uses.

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const DF = 0x400;
export const OF = 0x800;
export const STATUS = CF | PF | AF | ZF | SF | OF;
/** Bit 1 is always set; IF (0x200) is reported set, as in any kernel context that can be interrupted. */
export const FIXED = 0x2 | 0x200;

/** PF for a byte: set when it has an even number of 1 bits. */
export const PARITY = Uint8Array.from({ length: 256 }, (_, b) => {
  let ones = 0;
  for (let v = b; v; v >>= 1) ones += v & 1;
  return ones % 2 === 0 ? PF : 0;
});

/** How the last flag-setting instruction left the flags: enough to recompute any of them. */
export const enum FlagOp {
  /** Flags are in `bits` already. */
  Bits = 0,
  Add = 1,
  Sub = 2,
  Logic = 3,
  Inc = 4,
  Dec = 5,
  /** `imul`: CF and OF say whether the signed product overflowed; computed only when read. */
  Imul = 6,
}
