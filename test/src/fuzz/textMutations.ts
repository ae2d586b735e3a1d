import { Random } from './random';
import { TextOp } from './recipe';

/** Mutations that break any text format: line ends, NUL and binary, truncation, lost and very long lines. */
export function genericTextOp(r: Random, lines: string[]): TextOp {
  const line = r.below(lines.length);
  const text = lines[line] ?? '';
  const column = r.below(text.length + 1);
  switch (r.below(7)) {
    case 0:
      return { op: 'eol', style: r.chance(0.8) ? 'crlf' : 'cr', what: 'line ends' };
    case 1:
      return { op: 'set', line, text: `${text.slice(0, column)}\0${text.slice(column)}`, what: 'NUL' };
    case 2:
      return { op: 'set', line, text: `${text.slice(0, column)}${String.fromCharCode(...r.bytes(1 + r.below(32)))}${text.slice(column)}`, what: 'binary bytes' };
    case 3:
      return { op: 'cut', at: r.below(lines.join('\n').length), what: 'truncate' };
    case 4:
      return { op: 'delete', line, count: 1 + r.below(r.chance(0.8) ? 3 : 50), what: 'delete lines' };
    case 5:
      return { op: 'pad', line, text: r.pick(['x', ' ', '\t', 'a(', 'foo(bar) ', '/*', '"', '{', '\\']), repeat: r.size(200, 120_000), what: 'long line' };
    default:
      return { op: 'copy', from: line, count: 1 + r.below(8), at: r.below(lines.length), repeat: 1 + r.below(3), what: 'duplicate lines' };
  }
}

/** A decimal that trips integer handling: 0, edges of 32 and 53 bits, past 2^64, negative, not a number. */
export function hostileNumber(r: Random, near = 1): string {
  return r.pick([
    '0',
    '1',
    '2147483648',
    '4294967296',
    '9007199254740993',
    '18446744073709551616',
    '99999999999999999999999',
    '-1',
    '',
    'x',
    String(near + 1),
    String(near + 1000),
    String(near * 1000),
  ]);
}
