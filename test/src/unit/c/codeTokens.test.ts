import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { codeTokens } from '../../../../server/out/c/codeTokens';
import { inTempDir, prng } from '../diff/oracle';

// The oracle is GCC: two sources whose tokens are equal must compile to the same object
// (contents and relocations of every section, without debug info). Each `@` is a place where
// spacing, a line break or a comment may go; the mutations are changes that look small.
const template = `#define SQ(x) ((x) * (x))
#define LIMIT (1 + 2)
#define PICK(a, b) ((a) > (b) ? (a) : (b))
const char *names[] = {@ "alpha",@ "be ta",@ "gamma"@ };
struct pt {@ int x;@ int y;@ };
int counter;
int@ area@(@struct pt@ *p@)@
{@
	int a =@ SQ(@p->x@)@ +@ SQ(p->y);@
	counter@++;@
	if@ (a@ >@ LIMIT@)@
		return a - -1;@
	return PICK(a,@ 'c')@ +@ (int)sizeof("x y")@ +@ names[1][0]@ +@ (int)1e+1;@
}
`;

const cosmetic = ['', ' ', '\t\t', '\n', '\n\n\t', '/* c */', '/* two\n lines */', '// to the end\n', ' \\\n'];

const mutations: Array<[string, string]> = [
  ['a - -1', 'a --1'],
  ['#define SQ(x)', '#define SQ (x)'],
  ['"be ta"', '"be  ta"'],
  ["'c'", "'d'"],
  ['(int)1e+1', '(int)1e + 1'],
  ['counter@++', 'counter@+ +'],
  ['#define LIMIT (1 + 2)', '#define LIMIT (1 + 3)'],
  ['\t\treturn a - -1;', '\t\t/* return a - -1; */ return 0;'],
];

/** `objdump -s -r` of the compiled source, or undefined when GCC refuses it. */
function compiled(dir: string, name: string, source: string): string | undefined {
  const file = path.join(dir, `${name}.c`);
  writeFileSync(file, source);
  const object = path.join(dir, `${name}.o`);
  const cc = spawnSync('gcc', ['-O2', '-g0', '-fno-asynchronous-unwind-tables', '-w', '-c', file, '-o', object], { encoding: 'utf8' });
  if (cc.status !== 0) return undefined;
  const dump = spawnSync('objdump', ['-s', '-r', object], { encoding: 'utf8' }).stdout;
  return dump.split('\n').slice(2).join('\n');
}

const sameTokens = (a: string, b: string): boolean => {
  const x = codeTokens(a).texts;
  const y = codeTokens(b).texts;
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

const noGcc = spawnSync('gcc', ['--version']).status === 0 ? false : 'gcc is not installed (apt-get install gcc)';

test('equal tokens compile to the same object (GCC), for spacing, line breaks and comments anywhere between tokens', { skip: noGcc }, () => {
  inTempDir((dir) => {
    const base = template.replace(/@/g, '');
    const baseObject = compiled(dir, 'base', base);
    assert.ok(baseObject, 'the template compiles');
    const random = prng(14);
    let cosmeticSeen = 0;
    for (let n = 0; n < 24; n++) {
      const variant = template.replace(/@/g, () => cosmetic[Math.floor(random() * cosmetic.length)]);
      const same = sameTokens(base, variant);
      if (same) {
        cosmeticSeen++;
        assert.equal(compiled(dir, `v${n}`, variant), baseObject, `variant ${n} has the same tokens but another object:\n${variant}`);
      }
    }
    assert.equal(cosmeticSeen, 24, 'every cosmetic variant reads as the same tokens');
  });
});

test('each small real change reads as other tokens, and GCC agrees that it is one', { skip: noGcc }, () => {
  inTempDir((dir) => {
    const base = template.replace(/@/g, '');
    const baseObject = compiled(dir, 'base', base);
    for (const [n, [from, to]] of mutations.entries()) {
      assert.ok(template.includes(from), from);
      const variant = template.replace(from, to).replace(/@/g, '');
      assert.equal(sameTokens(base, variant), false, `${from} -> ${to} reads as the same tokens`);
      assert.notEqual(compiled(dir, `m${n}`, variant), baseObject, `${from} -> ${to}: GCC compiles the same object, so the mutation tests nothing`);
    }
  });
});

test("tokens keep their lines, and a directive's shape: its end, an #include's target as written, a function-like macro's (", () => {
  const { texts, lines } = codeTokens('#include <a.h> /* why */\n#define F(x) x\n#define G (x)\nint f(void) /* a\n b */ { return F(1); }\n');
  assert.deepEqual(texts.slice(0, 4), ['#', 'include', '<a.h>', '\n']);
  assert.deepEqual(texts.slice(4, 11), ['#', 'define', 'F', '#(', 'x', ')', 'x']);
  assert.deepEqual(texts.slice(12, 18), ['#', 'define', 'G', '(', 'x', ')']);
  assert.equal(lines[texts.indexOf('{')], 4, 'after a comment of two lines');
  assert.notDeepEqual(codeTokens('#include <a.h>').texts, codeTokens('#include < a.h >').texts);
});
