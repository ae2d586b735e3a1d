import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeTokens } from '../../../../server/out/c/codeTokens';
import { hunksChangeNoCode } from '../../../../server/out/diff/lineOnlyChanges';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { prng } from './oracle';

/**
 * Whether a patch changes no code, from its hunks alone, reads the longer side of a hunk only as
 * far as it could still equal the shorter. The oracle is the whole comparison: both sides'
 * complete token streams, equal or not.
 */
const pieces = [
  'x = 1;',
  'x  =  1 ;',
  '/* note */',
  '',
  'return x;',
  'y++;',
  'y + +;',
  'f(a, b);',
  'f(a,b);',
  '#define M(x) (x)',
  '#define M (x) (x)',
  '"a  b"',
  '"a b"',
  '// to the end',
];

function hunk(random: () => number): { removed: string[]; added: string[]; context: string[] } {
  const pick = (count: number) => Array.from({ length: count }, () => pieces[Math.floor(random() * pieces.length)]);
  const removed = pick(Math.floor(random() * 4));
  // Often the added side starts as the removed one and goes on: the case the bound cuts short.
  const added = random() < 0.5 ? [...removed, ...pick(Math.floor(random() * 3))] : pick(Math.floor(random() * 4));
  return { removed, added, context: pick(1 + Math.floor(random() * 2)) };
}

const patchOf = ({ removed, added, context }: ReturnType<typeof hunk>): string =>
  `--- a/t.c\n+++ b/t.c\n@@ -1,${context.length + removed.length} +1,${context.length + added.length} @@\n${[...context.map((l) => ` ${l}`), ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)].join('\n')}\n`;

const sameTokens = ({ removed, added, context }: ReturnType<typeof hunk>): boolean => {
  const before = codeTokens([...context, ...removed].join('\n')).texts;
  const after = codeTokens([...context, ...added].join('\n')).texts;
  return before.length === after.length && before.every((t, i) => t === after[i]);
};

test('the bounded comparison agrees with the whole one on 2,000 random hunks, equal ones among them', () => {
  const random = prng(13);
  let equal = 0;
  let cutShort = 0;
  for (let i = 0; i < 2000; i++) {
    const h = hunk(random);
    const diff = parseUnifiedDiff(patchOf(h));
    assert.equal(diff.files.length, 1);
    const expected = sameTokens(h);
    assert.equal(hunksChangeNoCode(diff.files[0]), expected, patchOf(h));
    if (expected) equal++;
    if (h.added.length > h.removed.length && h.added.slice(0, h.removed.length).join() === h.removed.join()) cutShort++;
  }
  assert.ok(equal >= 100 && cutShort >= 300, `${equal} equal hunks, ${cutShort} whose added side goes on past the removed one`);
});

test("codeTokens with a bound: the stream's first tokens, one past the bound, and all of a shorter one", () => {
  const text = '#define M(x) (x)\nint f(void) { return M(1) + 2; }\n';
  const whole = codeTokens(text);
  for (const most of [0, 1, 5, 12]) {
    const bounded = codeTokens(text, most);
    assert.deepEqual(bounded.texts, whole.texts.slice(0, most + 1));
    assert.deepEqual([...bounded.lines], [...whole.lines.slice(0, most + 1)]);
  }
  assert.deepEqual(codeTokens(text, whole.texts.length).texts, whole.texts);
});
