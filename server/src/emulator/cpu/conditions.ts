import { ConditionCode as Cond } from 'iced-x86';
import { Val } from './generatedValue';

// Conditions straight from the operands of the flag-setting instruction before them (cmp/jcc,
// test/jcc, sub/cmov...): a comparison of block locals instead of a call that rebuilds flags from
// the lazy state. Conditions not listed here (parity, overflow after add) use the generic path.

/** The operands and result of an inline flag store, as locals of the generated block. */
export interface FlagSource {
  /** `sub` covers cmp, neg and the compare of cmpxchg; `step` is inc and dec. */
  kind: 'add' | 'sub' | 'logic' | 'step';
  width: number;
  a: Val;
  b: Val;
  r: Val;
}

/** The positive conditions each kind of source answers (each with its negation, cc + 1). */
const FUSED: Record<FlagSource['kind'], Cond[]> = {
  step: [Cond.e, Cond.s],
  add: [Cond.e, Cond.s, Cond.b, Cond.be],
  sub: [Cond.e, Cond.s, Cond.b, Cond.be, Cond.l, Cond.le],
  logic: [Cond.e, Cond.s, Cond.b, Cond.be, Cond.l, Cond.le, Cond.o],
};

/** Whether condition `cc` after a source of this kind needs no lazy flags. */
export function fuses(kind: FlagSource['kind'], cc: Cond): boolean {
  return FUSED[kind].includes((cc & 1) === 1 ? cc : cc - 1);
}

/** A JS boolean expression for condition `cc` after `src`, or undefined when it has none. */
export function fusedCondition(src: FlagSource, cc: Cond): string | undefined {
  if (!fuses(src.kind, cc)) return undefined;
  const positive = (cc & 1) === 1;
  const test = condition(src, positive ? cc : cc - 1);
  return positive ? test : `!(${test})`;
}

/** A positive (odd-numbered) condition that FUSED lists for the source's kind. */
function condition(src: FlagSource, cc: Cond): string {
  const { kind, width, a, b, r } = src;
  const zero = width === 64 ? `(${r.l}|${r.h})===0` : `${r.l}===0`;
  if (cc === Cond.e) return zero;
  if (cc === Cond.s) return sign(width, r);
  if (kind === 'logic') {
    // Logic clears CF and OF.
    if (cc === Cond.be) return zero;
    if (cc === Cond.l) return sign(width, r);
    if (cc === Cond.le) return `(${zero}||${sign(width, r)})`;
    return 'false';
  }
  // The carry out of a + b is the sum wrapping below a.
  const carry = kind === 'add' ? below(width, r, a) : below(width, a, b);
  if (cc === Cond.b) return carry;
  if (cc === Cond.be) return `(${carry}||${zero})`;
  if (cc === Cond.l) return less(width, a, b);
  return `(${less(width, a, b)}||${zero})`;
}

function sign(width: number, v: Val): string {
  if (width === 64) return `(${v.h}<0)`;
  if (width === 32) return `(${v.l}<0)`;
  return `((${v.l}&${1 << (width - 1)})!==0)`;
}

/** Unsigned x < y. Values below 32 bits are already zero-extended. */
function below(width: number, x: Val, y: Val): string {
  if (width === 64) return `(${x.h}===${y.h}?(${x.l}>>>0)<(${y.l}>>>0):(${x.h}>>>0)<(${y.h}>>>0))`;
  if (width === 32) return `((${x.l}>>>0)<(${y.l}>>>0))`;
  return `(${x.l}<${y.l})`;
}

/** Signed x < y: 8- and 16-bit values are moved to the top of an int32 to compare their signs. */
function less(width: number, x: Val, y: Val): string {
  if (width === 64) return `(${x.h}===${y.h}?(${x.l}>>>0)<(${y.l}>>>0):${x.h}<${y.h})`;
  if (width === 32) return `(${x.l}<${y.l})`;
  return `((${x.l}<<${32 - width})<(${y.l}<<${32 - width}))`;
}
