import { Random } from './random';
import { TextOp } from './recipe';
import { genericTextOp, hostileNumber } from './textMutations';

const breakers = [
  '{',
  '}',
  '(',
  ')',
  '"',
  "'",
  '/*',
  '*/',
  '#if 0',
  '#define X(',
  '#include "',
  '\\',
  '[',
  '];',
  ',',
  '= {',
  '.old_name = ',
  '__attribute__((',
  'LIVEPATCH_LOAD_HOOK(',
  'KLP_',
  '{ }',
];

/**
 * The initializers of `klp_func` / `livepatch_func` entries: from the nearest line ending in `{`
 * above an `.old_name` or `.name`, to the next line starting with `}`, so copies stay valid C.
 */
function tableEntries(lines: string[]): Array<{ start: number; count: number }> {
  return lines.flatMap((l, name) => {
    if (!/^\s*\.(old_name|name)\s*=/.test(l)) return [];
    let start = name - 1;
    while (start >= 0 && !/\{\s*$/.test(lines[start])) start--;
    const end = lines.findIndex((n, i) => i > name && /^\s*\}/.test(n));
    return start >= 0 && end > name ? [{ start, count: end - start + 1 }] : [];
  });
}

/**
 * One to three mutations of a C source, aimed at what the LP1xx checks read: livepatch tables
 * (many `klp_func` / `livepatch_func` entries), unbalanced brackets, deep nesting, hostile
 * numbers and strings; and the generic ones (CRLF, NUL, long lines).
 */
export function mutateC(r: Random, seed: string): TextOp[] {
  const lines = seed.split('\n');
  const entries = tableEntries(lines);
  const ops: TextOp[] = [];
  for (let n = 1 + (r.chance(0.7) ? 0 : r.below(3)); n > 0; n--) {
    const line = r.below(lines.length);
    const text = lines[line];
    const column = r.below(text.length + 1);
    // prettier-ignore
    switch (r.below(7)) {
      case 0: {
        const entry = entries.length ? r.pick(entries) : { start: line, count: 1 };
        ops.push({ op: 'copy', from: entry.start, count: entry.count, at: entry.start, repeat: r.size(20, 50_000), what: 'many table entries' });
        break;
      }
      case 1:
        ops.push({ op: 'set', line, text: `${text.slice(0, column)}${r.pick(breakers)}${text.slice(column)}`, what: 'unbalanced token' });
        break;
      case 2: {
        const depth = r.size(100, 20_000);
        const [open, close] = r.pick([['(', ')'], ['{', '}'], ['[', ']'], ['#if 1\n', '#endif\n']]);
        ops.push({ op: 'insert', line, text: `int deep = ${open.repeat(depth)}0${close.repeat(depth)};`, repeat: 1, what: 'deep nesting' });
        break;
      }
      case 3:
        ops.push({ op: 'set', line, text: text.replace(/\b\d+\b|"[^"]*"/g, (m) => (m.startsWith('"') ? `"${r.pick(['', '\\', '%s%n', 'x'.repeat(r.size(10, 100_000))])}"` : hostileNumber(r, Number(m)))), what: 'numbers and strings' });
        break;
      case 4:
        ops.push({ op: 'copy', from: line, count: 1 + r.below(40), at: r.below(lines.length), repeat: r.size(3, 2000), what: 'many definitions' });
        break;
      default:
        ops.push(genericTextOp(r, lines));
    }
  }
  return ops;
}
