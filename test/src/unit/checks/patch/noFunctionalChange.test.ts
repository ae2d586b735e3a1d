import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { check, codes, kpatchTree, once, type Edits } from './patchCase';

const example = 'kernel/example.c';
const run = (edits: Edits, withSourceRoot = true): ReturnType<typeof check> => check(edits, withSourceRoot, kpatchTree);
const only = (findings: Awaited<ReturnType<typeof check>>['findings'], id: string): typeof findings => findings.filter((f) => f.code === id);

/** Lines of the fixture: where the functions start and where their __LINE__ users are. */
const fixtureLine = (text: string): number =>
  readFileSync(path.join(kpatchTree, example), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

const noChange: Array<{ what: string; edits: Edits }> = [
  { what: 'a comment-only fix (a typo)', edits: { [example]: once('that changes no code', 'that changes no code at all') } },
  { what: 'a comment that grows by two lines', edits: { [example]: once('/* Counters kept per device. */', '/*\n * Counters kept per device.\n */') } },
  { what: 'a whitespace fix (spaces to a tab, spacing around an operator)', edits: { [example]: once('\treturn id * 2 + cache->slots;', '        return id*2 + cache->slots;') } },
  { what: 'a line break moved inside an expression', edits: { [example]: once('\tif (dev->id > EXAMPLE_LIMIT)', '\tif (dev->id >\n\t    EXAMPLE_LIMIT)') } },
  { what: 'a blank line added above a function with WARN_ON', edits: { [example]: once('int example_open(', '\nint example_open(') } },
];

for (const { what, edits } of noChange) {
  test(`LP240 fires on ${what}, in kpatch's words`, async () => {
    const { findings, patch } = await run(edits);
    const hits = only(findings, 'LP240');
    assert.equal(hits.length, 1, `${codes(findings).join(', ')}\n${patch}`);
    assert.equal(hits[0].severity, 'error');
    assert.match(hits[0].message, /ERROR: no functional changes found/);
    assert.match(patch.split('\n')[hits[0].range.start.line], /^(diff|---|\+\+\+)/, 'on the file header');
  });
}

test('LP240 fires when the only change is in code the preprocessor leaves out (#if 0), and says so', async () => {
  const { findings, patch } = await run({ [example]: once('\treturn id + 1;', '\treturn id + 10;') });
  const hits = only(findings, 'LP240');
  assert.equal(hits.length, 1, `${codes(findings).join(', ')}\n${patch}`);
  assert.match(hits[0].message, /or code in branches the preprocessor leaves out \(LP250\)/);
  assert.equal(only(findings, 'LP250').length, 1);
});

test('LP240 stays quiet on a change in a branch whose condition is unknown: the compiler may well build it', async () => {
  const { findings } = await run({ [example]: once('\treturn id + 2;', '\treturn id + 20;') });
  assert.deepEqual(only(findings, 'LP240'), []);
});

test('LP241 names the functions below an added line whose WARN_ON/might_sleep/pr_info line numbers move, and only those', async () => {
  const { findings } = await run({ [example]: once('int example_open(', '\nint example_open(') });
  const notes = only(findings, 'LP241');
  assert.equal(notes.length, 1);
  assert.equal(notes[0].severity, 'information');
  const warnAt = fixtureLine('WARN_ON(!dev->stats)');
  assert.match(notes[0].message, new RegExp(`example_check\\(\\) \\(WARN_ON at line ${warnAt} -> ${warnAt + 1}\\)`));
  assert.match(notes[0].message, /kpatch sees it unchanged .* does not patch it/);
  // example_open has no __LINE__ user, nor have example_count and exported_func; example_verify is above the change.
  assert.doesNotMatch(notes[0].message, /example_open\(\)|example_count\(\)|exported_func\(\)|example_verify\(\)/);
  const related = notes[0].related?.map((r) => r.message) ?? [];
  assert.ok(related.some((m) => m.startsWith('example_check()')));
  const site = notes[0].related?.find((r) => r.message.startsWith('example_check()'));
  assert.equal(site?.file, path.join(kpatchTree, example));
  assert.match(readFileSync(path.join(kpatchTree, example), 'utf8').split('\n')[site?.range.start.line ?? -1], /^void example_check\(/);
});

test('LP241 says kpatch patches a function for nothing when its line number goes elsewhere than WARN/might_sleep (__LINE__ passed to a function), and LP240 stays quiet', async () => {
  const { findings } = await run({ [example]: once('// SPDX-License-Identifier: GPL-2.0\n', '// SPDX-License-Identifier: GPL-2.0\n// Copyright the example authors\n') });
  assert.deepEqual(only(findings, 'LP240'), [], 'kpatch sees example_verify changed: it builds a module');
  const note = only(findings, 'LP241')[0];
  assert.ok(note);
  assert.match(note.message, /example_verify\(\) \(example_assert at line \d+ -> \d+\)/);
  assert.match(note.message, /example_verify\(\) passes it elsewhere .* `changed function:`/);
});

test('a whitespace change inside a function moves its own WARN_ON: LP241 on it, LP240 too', async () => {
  const { findings } = await run({ [example]: once('void example_check(struct example_dev *dev)\n{\n', 'void example_check(struct example_dev *dev)\n{\n\n') });
  assert.equal(only(findings, 'LP240').length, 1);
  assert.match(only(findings, 'LP241')[0]?.message ?? '', /example_check\(\) \(WARN_ON/);
});

const realChanges: Array<{ what: string; edits: Edits }> = [
  { what: 'a printk_once in place of a pr_info', edits: { [example]: once('\tpr_info("example: checked %d\\n", dev->id);', '\tprintk_once("example: checked %d\\n", dev->id);') } },
  { what: 'a changed string', edits: { [example]: once('"example: checked %d\\n"', '"example: checked id %d\\n"') } },
  { what: 'a changed constant (a macro value)', edits: { [example]: once('#define EXAMPLE_LIMIT 16', '#define EXAMPLE_LIMIT 32') } },
  { what: 'a changed constant in the code', edits: { [example]: once('return -22;', 'return -EINVAL;') } },
  { what: 'a changed macro argument', edits: { [example]: once('WARN_ON(!dev->stats);', 'WARN_ON(!dev);') } },
  { what: 'a changed macro definition that uses __LINE__', edits: { [example]: once('example_fail(__FILE__, __LINE__)', 'example_fail(__FILE__, __LINE__ + 1)') } },
  { what: 'a function-like macro turned object-like by a space', edits: { [example]: once('#define example_assert(cond)', '#define example_assert (cond)') } },
  { what: 'a new include', edits: { [example]: once('#include <linux/printk.h>\n', '#include <linux/printk.h>\n#include <linux/slab.h>\n') } },
  { what: 'a code line commented out', edits: { [example]: once('\tmight_sleep();', '\t/* might_sleep(); */') } },
  { what: 'a code line that a new comment swallows', edits: { [example]: once('\tmight_sleep();', '\t/* no sleep here:\n\tmight_sleep();\n\t*/') } },
];

for (const { what, edits } of realChanges) {
  test(`LP240 stays quiet on ${what}`, async () => {
    const { findings, patch } = await run(edits);
    assert.deepEqual(only(findings, 'LP240'), [], patch);
  });
}

test('without a source root: LP240 from the hunks alone for a comment fix, quiet for a code change', async () => {
  const comment = await run({ [example]: once('that changes no code', 'that changes no code at all') }, false);
  assert.match(only(comment.findings, 'LP240')[0]?.message ?? '', /read from the hunks alone/);
  const code = await run({ [example]: once('return -22;', 'return -23;') }, false);
  assert.deepEqual(only(code.findings, 'LP240'), []);
});

test('LP240 counts a Documentation change as building nothing, and a Makefile change as something it cannot judge', async () => {
  const comment = { [example]: once('that changes no code', 'that changes no code, really') };
  const withDocs = await run({ ...comment, 'Documentation/example.rst': once('Example', 'Example driver') });
  assert.equal(only(withDocs.findings, 'LP240').length, 1);
  const withMakefile = await run({ ...comment, 'kernel/Makefile': once('obj-y', 'obj-$(CONFIG_EXAMPLE)') });
  assert.deepEqual(only(withMakefile.findings, 'LP240'), []);
  const docsAlone = await run({ 'Documentation/example.rst': once('Example', 'Example driver') });
  assert.deepEqual(only(docsAlone.findings, 'LP240'), [], 'no C file: nothing kpatch-build would compare');
});
