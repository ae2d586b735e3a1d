// Generates C functions that run one arithmetic instruction between `popfq` and `pushfq`, so the
// host CPU and the emulator can be compared flag by flag on the very same instruction bytes.

export const CF = 0x1,
  PF = 0x4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  OF = 0x800;
export const ALL = CF | PF | AF | ZF | SF | OF;

export interface FlagCase {
  name: string;
  width: number;
  /** C body; `r` (u64, starts as a), `b`, `r2` (u64) are in scope, flags land in `f`. */
  body: string;
  /** Flags the instruction defines (or leaves alone) for these operands. */
  defined(a: bigint, b: bigint): number;
  /** Whether the result registers are architecturally defined for these operands. */
  resultDefined?(a: bigint, b: bigint): boolean;
}

const SUFFIX: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
const MOD: Record<number, string> = { 8: 'b', 16: 'w', 32: 'k', 64: 'q' };

function asm(text: string, outputs: string, inputs: string): string {
  return `asm volatile("push %[fin]\\n\\tpopfq\\n\\t${text}\\n\\tpushfq\\n\\tpop %[f]" : [f] "=&r"(f)${outputs ? `, ${outputs}` : ''} : [fin] "r"(fin)${inputs ? `, ${inputs}` : ''} : "cc", "memory");`;
}

function shiftDefined(kind: 'shift' | 'rotate' | 'rcx' | 'double', width: number, count: number): number {
  const masked = count & (width === 64 ? 63 : 31);
  if (masked === 0) return ALL;
  const one = masked === 1 ? OF : 0;
  if (kind === 'rotate' || kind === 'rcx') return CF | PF | AF | ZF | SF | one;
  if (kind === 'shift') return (masked < width ? CF : 0) | PF | ZF | SF | one;
  return masked <= width ? CF | PF | ZF | SF | one : 0;
}

export function flagCases(): FlagCase[] {
  const cases: FlagCase[] = [];
  for (const width of [8, 16, 32, 64]) {
    const s = SUFFIX[width];
    const m = MOD[width];
    const rr = `[r] "+r"(r)`;
    const bin = (op: string, defined: number) =>
      cases.push({
        name: `${op}${width}`,
        width,
        defined: () => defined,
        body: asm(`${op}${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`),
      });
    for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp']) bin(op, ALL);
    for (const op of ['and', 'or', 'xor', 'test']) bin(op, ALL & ~AF);
    for (const op of ['inc', 'dec', 'neg', 'not']) {
      cases.push({ name: `${op}${width}`, width, defined: () => ALL, body: asm(`${op}${s} %${m}[r]`, rr, '') });
    }
    for (const op of ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']) {
      const kind = op.startsWith('rc') ? 'rcx' : op.startsWith('ro') ? 'rotate' : 'shift';
      cases.push({
        name: `${op}${width}`,
        width,
        defined: (_a, b) => shiftDefined(kind, width, Number(b & 0xffn)),
        body: asm(`${op}${s} %%cl, %${m}[r]`, rr, `"c"(b)`),
      });
      cases.push({
        name: `${op}1_${width}`,
        width,
        defined: () => shiftDefined(kind, width, 1),
        body: asm(`${op}${s} $1, %${m}[r]`, rr, ''),
      });
    }
    cases.push({
      name: `mul${width}`,
      width,
      defined: () => CF | OF,
      body: `r2 = b ^ fin; ${asm(`mul${s} %${m}[b]`, `[r] "+a"(r), "+d"(r2)`, `[b] "r"(b)`)}`,
    });
    cases.push({
      name: `imul1_${width}`,
      width,
      defined: () => CF | OF,
      body: `r2 = b ^ fin; ${asm(`imul${s} %${m}[b]`, `[r] "+a"(r), "+d"(r2)`, `[b] "r"(b)`)}`,
    });
    cases.push({
      name: `xadd${width}`,
      width,
      defined: () => ALL,
      body: `r2 = b; ${asm(`xadd${s} %${m}[b], %${m}[r]`, `${rr}, [b] "+r"(r2)`, '')}`,
    });
    cases.push({
      name: `cmpxchg${width}`,
      width,
      defined: () => ALL,
      body: `r2 = (b & 1) ? r : b >> 1; ${asm(`cmpxchg${s} %${m}[b], %${m}[r]`, `${rr}, "+a"(r2)`, `[b] "r"(b)`)}`,
    });
    if (width === 8) continue;
    cases.push({ name: `imul${width}`, width, defined: () => CF | OF, body: asm(`imul${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`) });
    for (const op of ['bt', 'bts', 'btr', 'btc']) {
      cases.push({ name: `${op}${width}`, width, defined: () => CF | ZF, body: asm(`${op}${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`) });
    }
    const nonzero = (b: bigint) => BigInt.asUintN(width, b) !== 0n;
    for (const op of ['bsf', 'bsr']) {
      cases.push({ name: `${op}${width}`, width, defined: () => ZF, resultDefined: (_a, b) => nonzero(b), body: asm(`${op}${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`) });
    }
    for (const op of ['tzcnt', 'lzcnt']) {
      cases.push({ name: `${op}${width}`, width, defined: () => CF | ZF, body: asm(`${op}${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`) });
    }
    cases.push({ name: `popcnt${width}`, width, defined: () => ALL, body: asm(`popcnt${s} %${m}[b], %${m}[r]`, rr, `[b] "r"(b)`) });
    for (const op of ['shld', 'shrd']) {
      cases.push({
        name: `${op}${width}`,
        width,
        defined: (_a, b) => shiftDefined('double', width, Number(b & 0xffn)),
        resultDefined: (_a, b) => width !== 16 || Number(b & 31n) <= 16,
        body: `r2 = b * 0x9e3779b97f4a7c15UL; ${asm(`${op}${s} %%cl, %${m}[s], %${m}[r]`, rr, `[s] "r"(r2), "c"(b)`)}`,
      });
    }
  }
  // High-byte registers: AH/BH/CH/DH as both operands.
  cases.push({ name: 'add_high8', width: 8, defined: () => ALL, body: asm('addb %h[b], %h[r]', `[r] "+Q"(r)`, `[b] "Q"(b)`) });
  cases.push({ name: 'sub_high_low8', width: 8, defined: () => ALL, body: asm('subb %b[b], %h[r]', `[r] "+Q"(r)`, `[b] "Q"(b)`) });
  return cases;
}

/** The harness source: one function per case, `u64 fl_NAME(u64 a, u64 b, u64 fin)`. */
export function harnessSource(cases: FlagCase[]): string {
  return [
    'typedef unsigned long u64;',
    'u64 flag_r, flag_r2;',
    ...cases.map((c) =>
      [`__attribute__((noinline)) u64 fl_${c.name}(u64 a, u64 b, u64 fin) {`, '  u64 r = a, r2 = 0, f;', `  ${c.body}`, '  flag_r = r; flag_r2 = r2;', '  return f;', '}'].join(
        '\n',
      ),
    ),
  ].join('\n');
}
