// The printf-style formatter behind the guest's printk / snprintf natives. It follows C (glibc)
// output exactly for the standard conversions, so the host's snprintf can serve as its oracle;
// from the kernel it adds KERN_<level> prefixes (stripped) and %pS / %ps (symbol names).

export interface FormatSource {
  /** The next variadic argument, as its raw 64-bit register or stack slot. */
  next(): bigint;
  readString(address: bigint): string;
  symbolize(address: bigint): string;
  /**
   * How %p and the %p<letter> extensions other than %pS print, when the caller has its own rules
   * (Linux hashes plain %p); `consumed` says whether the letter after %p was part of it.
   */
  pointer?(value: bigint, extension: string): { text: string; consumed: boolean };
}

const SPEC = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|z|t|j)?([diouxXcsp%])/y;

export function formatPrintf(format: string, args: FormatSource): string {
  let out = '';
  let i = 0;
  if (format.charCodeAt(0) === 1 && format.length > 1) i = 2;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    SPEC.lastIndex = percent;
    const match = SPEC.exec(format);
    if (!match) {
      out += '%';
      i = percent + 1;
      continue;
    }
    i = SPEC.lastIndex;
    const [, flags, widthText, precisionText, length, conversion] = match;
    if (conversion === '%') {
      out += '%';
      continue;
    }
    let width = widthText === '*' ? Number(BigInt.asIntN(32, args.next())) : widthText ? Number(widthText) : 0;
    let left = flags.includes('-');
    if (width < 0) {
      left = true;
      width = -width;
    }
    let precision: number | undefined;
    if (precisionText !== undefined) {
      precision = precisionText === '*' ? Number(BigInt.asIntN(32, args.next())) : Number(precisionText || '0');
      if (precision < 0) precision = undefined;
    }
    let body: string;
    let zeroPad = flags.includes('0') && !left;
    if (conversion === 's') {
      const text = args.readString(args.next());
      body = precision === undefined ? text : text.slice(0, precision);
      zeroPad = false;
    } else if (conversion === 'c') {
      body = String.fromCharCode(Number(args.next() & 0xffn));
      zeroPad = false;
    } else if (conversion === 'p') {
      const value = BigInt.asUintN(64, args.next());
      const extension = format[i];
      const custom = extension === 'S' || extension === 's' ? undefined : args.pointer?.(value, extension ?? '');
      if (custom) {
        if (custom.consumed) i++;
        body = custom.text;
      } else if (extension === 'S' || extension === 's') {
        i++;
        body = args.symbolize(value);
      } else {
        body = value === 0n ? '(nil)' : `0x${value.toString(16)}`;
      }
      zeroPad = false;
    } else {
      body = formatInteger(args.next(), conversion, length, flags, precision);
      if (precision !== undefined) zeroPad = false;
    }
    out += pad(body, width, left, zeroPad);
  }
  return out;
}

function bitsOf(length: string | undefined): number {
  if (length === 'hh') return 8;
  if (length === 'h') return 16;
  if (length === undefined) return 32;
  return 64;
}

function formatInteger(raw: bigint, conversion: string, length: string | undefined, flags: string, precision: number | undefined): string {
  const bits = bitsOf(length);
  const signed = conversion === 'd' || conversion === 'i';
  const value = signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const base = conversion === 'o' ? 8 : conversion === 'x' || conversion === 'X' ? 16 : 10;
  let digits = magnitude.toString(base);
  if (conversion === 'X') digits = digits.toUpperCase();
  if (precision !== undefined) digits = precision === 0 && magnitude === 0n ? '' : digits.padStart(precision, '0');
  let prefix = '';
  if (signed) prefix = negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  if (flags.includes('#') && magnitude !== 0n) {
    if (base === 16) prefix = conversion === 'X' ? '0X' : '0x';
    if (base === 8 && !digits.startsWith('0')) digits = `0${digits}`;
  }
  return prefix + '\u0000' + digits;
}

/** Pads to `width`; zero padding goes between the sign/prefix and the digits (marked by NUL). */
function pad(body: string, width: number, left: boolean, zero: boolean): string {
  const split = body.indexOf('\u0000');
  const prefix = split < 0 ? '' : body.slice(0, split);
  const digits = split < 0 ? body : body.slice(split + 1);
  const length = prefix.length + digits.length;
  if (length >= width) return prefix + digits;
  if (left) return prefix + digits + ' '.repeat(width - length);
  if (zero) return prefix + '0'.repeat(width - length) + digits;
  return ' '.repeat(width - length) + prefix + digits;
}
