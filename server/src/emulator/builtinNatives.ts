import { GuestFault } from './faults';
import { GP_NAMES } from './cpu/registers';
import { NativeContext, NativeSpec } from './natives';
import { formatPrintf } from './printk';

// The kernel-ish runtime every image may link against: console output, the mem*/str* helpers
// that gcc calls for big copies, the return and indirect-branch thunks, and traps for the
// functions that mean "this must not happen".

/** The longest string a native reads from the guest. */
export const STRING_LIMIT = 1 << 20;

/** printf's variadic arguments from register/stack slot `first` on, for formatPrintf. */
export function varargs(ctx: NativeContext, first: number) {
  let index = first;
  return {
    next: () => ctx.arg(index++),
    readString: (address: bigint) => (address === 0n ? '(null)' : ctx.memory.readCString(address, STRING_LIMIT)),
    symbolize: (address: bigint) => ctx.symbolize(address),
  };
}

function format(ctx: NativeContext, formatArg: number): string {
  return formatPrintf(ctx.memory.readCString(ctx.arg(formatArg), STRING_LIMIT), varargs(ctx, formatArg + 1));
}

/** snprintf semantics: writes at most size-1 bytes plus NUL, returns the untruncated length. */
function storeFormatted(ctx: NativeContext, buffer: bigint, size: bigint, text: string): bigint {
  if (size > 0n) {
    const kept = text.slice(0, Number(size < BigInt(STRING_LIMIT) ? size : BigInt(STRING_LIMIT)) - 1);
    ctx.memory.writeCString(buffer, kept);
  }
  return BigInt(text.length);
}

function copy(ctx: NativeContext, dst: bigint, src: bigint, n: bigint): void {
  if (n > 0n) ctx.memory.write(dst, ctx.memory.read(src, Number(n)));
}

function compareBytes(ctx: NativeContext, a: bigint, b: bigint, n: bigint, stopAtNul: boolean): bigint {
  for (let i = 0n; i < n; i++) {
    const x = ctx.memory.readU8(a + i);
    const y = ctx.memory.readU8(b + i);
    if (x !== y) return BigInt(x - y);
    if (stopAtNul && x === 0) return 0n;
  }
  return 0n;
}

function length(ctx: NativeContext, s: bigint, max: bigint): bigint {
  let n = 0n;
  while (n < max && ctx.memory.readU8(s + n) !== 0) n++;
  return n;
}

const ANY = 1n << 62n;

// prettier-ignore
export const builtinNatives: NativeSpec[] = [
  { name: 'printk', kind: 'call', run: (ctx) => { const text = format(ctx, 0); ctx.print(text); return BigInt(text.length); } },
  { name: '_printk', kind: 'call', run: (ctx) => { const text = format(ctx, 0); ctx.print(text); return BigInt(text.length); } },
  { name: 'snprintf', kind: 'call', run: (ctx) => storeFormatted(ctx, ctx.arg(0), ctx.arg(1), format(ctx, 2)) },
  { name: 'scnprintf', kind: 'call', run: (ctx) => {
    const size = ctx.arg(1);
    const written = storeFormatted(ctx, ctx.arg(0), size, format(ctx, 2));
    return size === 0n ? 0n : written < size ? written : size - 1n;
  } },
  { name: 'sprintf', kind: 'call', run: (ctx) => storeFormatted(ctx, ctx.arg(0), ANY, format(ctx, 1)) },
  { name: 'panic', kind: 'call', run: (ctx) => { throw new GuestFault('panic', `panic: ${format(ctx, 0)}`); } },
  { name: '__stack_chk_fail', kind: 'call', run: () => { throw new GuestFault('bug', 'stack protector: stack smashing detected'); } },
  { name: 'memcpy', kind: 'call', run: (ctx) => { copy(ctx, ctx.arg(0), ctx.arg(1), ctx.arg(2)); return ctx.arg(0); } },
  { name: 'memmove', kind: 'call', run: (ctx) => { copy(ctx, ctx.arg(0), ctx.arg(1), ctx.arg(2)); return ctx.arg(0); } },
  { name: 'memset', kind: 'call', run: (ctx) => {
    const n = Number(ctx.arg(2));
    if (n > 0) ctx.memory.write(ctx.arg(0), new Uint8Array(n).fill(Number(ctx.arg(1) & 0xffn)));
    return ctx.arg(0);
  } },
  { name: 'memcmp', kind: 'call', run: (ctx) => compareBytes(ctx, ctx.arg(0), ctx.arg(1), ctx.arg(2), false) },
  { name: 'strcmp', kind: 'call', run: (ctx) => compareBytes(ctx, ctx.arg(0), ctx.arg(1), ANY, true) },
  { name: 'strncmp', kind: 'call', run: (ctx) => compareBytes(ctx, ctx.arg(0), ctx.arg(1), ctx.arg(2), true) },
  { name: 'strlen', kind: 'call', run: (ctx) => length(ctx, ctx.arg(0), ANY) },
  { name: 'strnlen', kind: 'call', run: (ctx) => length(ctx, ctx.arg(0), ctx.arg(1)) },
  { name: 'strcpy', kind: 'call', run: (ctx) => { copy(ctx, ctx.arg(0), ctx.arg(1), length(ctx, ctx.arg(1), ANY) + 1n); return ctx.arg(0); } },
  { name: '__x86_return_thunk', kind: 'call', run: () => undefined },
  ...GP_NAMES.filter((r) => r !== 'rsp').map((reg, index): NativeSpec => ({
    name: `__x86_indirect_thunk_${reg}`,
    kind: 'jump',
    run: (ctx) => ctx.register(index >= 4 ? index + 1 : index),
  })),
];
