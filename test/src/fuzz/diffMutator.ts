import { Random } from './random';
import { TextOp } from './recipe';
import { genericTextOp, hostileNumber } from './textMutations';

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const fileHeader = /^(diff --git |--- |\+\+\+ )/;

const headerLines = [
  '--- /dev/null',
  '+++ /dev/null',
  'diff --git a/x.c b/x.c',
  'new file mode 100644',
  'deleted file mode 100644',
  'rename from a.c',
  'rename to b.c',
  'similarity index 90%',
  '\\ No newline at end of file',
  'Binary files a/x.o and b/x.o differ',
  'GIT binary patch',
  'literal 12',
  'zcmV?d00001',
  '@@ -1 +1 @@',
  '@@@ -1,2 -1,2 +1,3 @@@',
  '@@ @@',
  '--- a/../../etc/passwd',
  '+++ b/lib/x.S',
];

/**
 * One to three mutations of a unified diff, aimed at its structure: hunk headers with huge or
 * broken numbers, many files, many hunks, many added lines, binary parts, file headers out of
 * place; and the generic ones (CRLF, NUL, long lines).
 */
export function mutateDiff(r: Random, seed: string): TextOp[] {
  const lines = seed.split('\n');
  const hunks = lines.flatMap((l, i) => (hunkHeader.test(l) ? [i] : []));
  const files = lines.flatMap((l, i) => (fileHeader.test(l) ? [i] : []));
  const ops: TextOp[] = [];
  for (let n = 1 + (r.chance(0.7) ? 0 : r.below(3)); n > 0; n--) {
    const hunk = hunks.length ? r.pick(hunks) : 0;
    const hunkEnd = hunks.find((h) => h > hunk) ?? lines.length;
    // prettier-ignore
    switch (r.below(9)) {
      case 0: {
        const [, a = '1', b = '1', c = '1', d = '1', rest = ''] = hunkHeader.exec(lines[hunk]) ?? [];
        const pick = (orig: string) => (r.chance(0.5) ? hostileNumber(r, Number(orig)) : orig);
        ops.push({ op: 'set', line: hunk, text: `@@ -${pick(a)},${pick(b)} +${pick(c)},${pick(d)} @@${rest}`, what: 'hunk header numbers' });
        break;
      }
      case 1:
        ops.push({ op: 'copy', from: files[0] ?? 0, count: lines.length - (files[0] ?? 0), at: lines.length, repeat: r.size(5, 500), what: 'many files' });
        break;
      case 2:
        ops.push({ op: 'copy', from: hunk, count: hunkEnd - hunk, at: hunkEnd, repeat: r.size(10, 3000), what: 'many hunks' });
        break;
      case 3: {
        // The header's counts follow, so the hunk still applies and the source classification runs.
        const body = r.pick(['+\tx = y;', '+', '+}', '+{', '-\tx = y;', ' \tx = y;', '+static int v%d;', '+int f%d(void) { return %d; }', '+#define M%d %d']);
        const repeat = r.size(100, 50_000);
        const [, a = '1', b = '1', c = '1', d = '1', rest = ''] = hunkHeader.exec(lines[hunk]) ?? [];
        const more = (count: string, grows: boolean) => (grows ? String(Number(count) + repeat) : count);
        if (hunks.length) ops.push({ op: 'set', line: hunk, text: `@@ -${a},${more(b, body[0] !== '+')} +${c},${more(d, body[0] !== '-')} @@${rest}`, what: 'hunk header counts' });
        ops.push({ op: 'insert', line: hunk + 1 + r.below(Math.max(1, hunkEnd - hunk - 1)), text: body, repeat, numbered: true, what: 'many body lines' });
        break;
      }
      case 4:
        ops.push({ op: 'insert', line: r.pick(files.length ? files : [0]), text: r.pick(headerLines), repeat: 1, what: 'header line' });
        break;
      case 5: {
        const line = hunk + 1 + r.below(Math.max(1, hunkEnd - hunk - 1));
        const body = lines[line] ?? '';
        ops.push({ op: 'set', line, text: `${r.pick(['+', '-', ' ', '\\', '@', ''])}${body.slice(1)}`, what: 'line prefix' });
        break;
      }
      case 6: {
        const added = lines.flatMap((l, i) => (l.startsWith('+') && !l.startsWith('+++') ? [i] : []));
        ops.push({ op: 'pad', line: added.length ? r.pick(added) : hunk + 1, text: r.pick(['x', 'a ', 'a(', 'foo(bar) ', '/*', '"']), repeat: r.size(200, 300_000), what: 'long added line' });
        break;
      }
      default:
        ops.push(genericTextOp(r, lines));
    }
  }
  return ops;
}
