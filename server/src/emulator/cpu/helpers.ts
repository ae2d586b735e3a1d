import * as alu from './alu';
import { string } from './strings';
import { CpuState } from './state';

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** The address of the operand that holds bit `offset` of a bit string at (lo, hi). */
function bitAddress(c: CpuState, lo: number, hi: number, offsetLo: number, offsetHi: number, width: number): number {
  const offset = BigInt.asIntN(64, toBig(offsetLo, offsetHi));
  const address = BigInt.asUintN(64, toBig(lo, hi) + (offset >> BigInt(Math.log2(width))) * BigInt(width / 8));
  c.rh = Number(BigInt.asIntN(32, address >> 32n));
  return Number(BigInt.asIntN(32, address));
}

/** Everything generated code reaches through `A`. */
export const helpers = {
  ...alu,
  string,
  bitAddress,
  toBig,
  lo32: (v: bigint) => Number(BigInt.asIntN(32, v)),
  hi32: (v: bigint) => Number(BigInt.asIntN(32, v >> 32n)),
};

export type Helpers = typeof helpers;
