// Guest addresses cross the API as BigInt; inside the CPU they are pairs of int32 (lo, hi),
// because V8 keeps small integers unboxed and BigInt arithmetic is ten times slower.

const MASK64 = (1n << 64n) - 1n;

export function u64(value: bigint): bigint {
  return value & MASK64;
}

export function loOf(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

export function hiOf(value: bigint): number {
  return Number(BigInt.asIntN(32, value >> 32n));
}

export function fromPair(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** 16 hex digits, no prefix: how the kernel and Xen print a pointer or an address. */
export function hex16(value: bigint | number): string {
  return value.toString(16).padStart(16, '0');
}

export function hex(value: bigint | number): string {
  const v = typeof value === 'number' ? BigInt(value) : value;
  return `0x${u64(v).toString(16)}`;
}
