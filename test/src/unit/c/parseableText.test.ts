import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { readDefinitions } from '../../../../server/out/c/sourceFacts/definitions';
import { longCommentRun, manyStrayCloses, parseableText } from '../../../../server/out/c/parseableText';
import { check, fixtureTree, once } from '../checks/patch/patchCase';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

/** GCC's word on it: the line of its "unterminated comment" error, if it gives one. */
function gccUnterminatedLine(text: string): number | undefined {
  const run = spawnSync('gcc', ['-fsyntax-only', '-x', 'c', '-'], { input: text, encoding: 'utf8' });
  const line = /<stdin>:(\d+):\d+: error: unterminated comment/.exec(run.stderr)?.[1];
  return line === undefined ? undefined : Number(line) - 1;
}

const hasGcc = spawnSync('gcc', ['--version']).status === 0;

test(
  'a comment left open is found where GCC finds it; strings, character constants and // comments hide a /*',
  { skip: hasGcc ? false : 'gcc is not installed (Debian package gcc): it is the oracle' },
  () => {
    const cases = [
      'int a; /* open\nint b;\n',
      'int a; /* closed */ int b;\n',
      'const char *s = "/*";\nint b;\n',
      "char c = '/'; int d = 2 /* x */ * 3;\n",
      '// a line comment /* with an opener\nint b;\n',
      '// continued \\\n /* still the line comment\nint b;\n',
      '/* one */ int a; /* two\n */ int b; /* three\n\nint c;\n',
      'int a; /*/ still open\n',
      'const char *s = "a\\"/*"; int b;\n',
      'int a = 1 /* /* nested openers */;\n',
      `int f(void)\n{\n\t${'/* '.repeat(200)}\n\treturn 0;\n}\n`,
      'int a;\n',
    ];
    for (const text of cases) {
      const { text: parseable, unterminatedCommentLine } = parseableText(text);
      assert.equal(unterminatedCommentLine, gccUnterminatedLine(text), JSON.stringify(text));
      assert.equal(parseable, unterminatedCommentLine === undefined ? text : `${text}*/`, 'only ever appended to');
    }
  },
);

test('a 100 KB line of unclosed /* parses in linear time and is reported at its line', () => {
  // Unneutralised, tree-sitter took 12.6 s for 10 KB and 52 s for 20 KB of this line: 100 KB would take over 20 minutes.
  const text = `int f(int x)\n{\n\tint y = x;\n\t${'/* '.repeat(33_334)}\n\treturn y;\n}\n`;
  const started = performance.now();
  const read = readDefinitions(parser, 't.c', text);
  const ms = performance.now() - started;
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
  assert.equal(read.unterminatedCommentLine, 3);
  assert.equal(read.syntaxErrors[0], 3);
  assert.deepEqual(
    read.definitions.map((d) => d.name),
    ['f'],
  );
});

test('a patch that leaves a comment open: the finding says so, at the line of the comment', async () => {
  const { findings } = await check({ 'kernel/widget.c': once('return 42;', 'return 42; /* the answer') });
  const said = findings.find((f) => /never closed/.test(f.message));
  assert.ok(said, findings.map((f) => `${f.code} ${f.message}`).join('\n'));
  const line =
    readFileSync(path.join(fixtureTree, 'kernel/widget.c'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('return 42;')) + 1;
  assert.ok(said.message.includes(`kernel/widget.c does not parse after the patch: the comment opened at line ${line} is never closed`), said.message);
});

test('thousands of comments in a row after `unsigned long volatile x;` parse (raw, they overflow the WASM stack and corrupt the module)', () => {
  const run = Array.from({ length: 5000 }, (_, i) => (i % 2 ? `// line ${i}\n` : `/* block ${i} */ \\\n`)).join('');
  for (const text of [`unsigned long volatile jiffies;\n\n${run}int x;\n`, `int f(void)\n{\n\tfoo(bar);\n${run}\treturn 0;\n}\n`]) {
    const parseable = parseableText(text);
    assert.equal(parseable.blankedComments, 5000);
    assert.equal(parseable.text.length, text.length, 'positions kept');
    assert.equal(parseable.text.split('\n').length, text.split('\n').length, 'lines kept');
    const tree = parser.parse(parseable.text);
    assert.ok(tree && !tree.rootNode.hasError, 'the code around the run still parses');
    tree.delete();
  }
  // The module is sound after them: a plain file still parses.
  assert.deepEqual(
    readDefinitions(parser, 'after.c', 'int g(void)\n{\n\treturn 1;\n}\n').definitions.map((d) => d.name),
    ['g'],
  );
});

test('shorter runs, comments inside strings and comment openers in literals are left as written', () => {
  const short = `int a;\n${'/* c */\n'.repeat(longCommentRun - 1)}int b;\n`;
  assert.deepEqual(parseableText(short), { text: short });
  const literals = `const char *s[] = {\n${'\t"/* not a comment */", \'/\', "//",\n'.repeat(400)}};\n`;
  assert.deepEqual(parseableText(literals), { text: literals });
  // Two runs split by code: neither is long.
  const split = `${'/* c */\n'.repeat(200)}int a;\n${'/* c */\n'.repeat(200)}`;
  assert.deepEqual(parseableText(split), { text: split });
});

test('thousands of `*/` that close no comment: blanked for the parser, in linear time, and the first is reported', () => {
  // Raw, tree-sitter's error recovery took 10 s for 4,000 and a minute for 8,000 of these lines.
  const text = `/* a comment */\n${' */\n'.repeat(20_000)}int f(void)\n{\n\treturn 1;\n}\n`;
  const parseable = parseableText(text);
  assert.deepEqual(parseable.strayCommentCloses, { line: 1, count: 20_000 });
  assert.equal(parseable.text.length, text.length);
  const started = performance.now();
  const read = readDefinitions(parser, 'stray.c', text);
  assert.ok(performance.now() - started < 5000, `${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(read.syntaxErrors[0], 1, 'the first stray */ is where the compiler stops');
  assert.deepEqual(
    read.definitions.map((d) => d.name),
    ['f'],
  );
});

test(
  '`*/` inside strings, `**/* c */` and `*//` are not strays; fewer than the threshold are left to the parser',
  { skip: hasGcc ? false : 'gcc is not installed (Debian package gcc): it is the oracle' },
  () => {
    const valid = Array.from({ length: manyStrayCloses }, (_, i) => `const char *s${i} = "*/";\nchar **/* a pointer */p${i};\nint a${i} = 2 *// a line comment\n3;\n`).join('');
    assert.equal(spawnSync('gcc', ['-fsyntax-only', '-x', 'c', '-'], { input: valid, encoding: 'utf8' }).status, 0, 'GCC takes these as valid C');
    assert.deepEqual(parseableText(valid), { text: valid });
    const few = `int a;\n${'*/\n'.repeat(manyStrayCloses - 1)}`;
    assert.deepEqual(parseableText(few), { text: few });
    const stray = `int a;\n*/\nint b;\n`;
    assert.match(spawnSync('gcc', ['-fsyntax-only', '-x', 'c', '-'], { input: stray, encoding: 'utf8' }).stderr, /<stdin>:2:\d+: error/, 'GCC stops at a stray */');
  },
);
