import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import type { Finding } from '../../../../../server/out/checks/finding';
import { codes, fixtureTree, makePatch, once } from './patchCase';

/*
 * The patch checks on a source root that is not quite the patch's tree: GNU patch applies the
 * hunk elsewhere (offset) or with fuzz, and the checks must read the file where it really went;
 * where patch fails, LP201. Patch's own `--dry-run --verbose` lines are the expected messages.
 */

const widget = 'kernel/widget.c';
const patchText = makePatch({ [widget]: once('return w->id + 1;', 'return w->id + 2;') });

/** The fixture tree with kernel/widget.c edited, the findings on it, and what `patch -p1 --dry-run --verbose` says there. */
async function onTree(t: TestContext, edit: (text: string) => string): Promise<{ findings: Finding[]; patchSays: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-moved-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'tree');
  cpSync(fixtureTree, root, { recursive: true });
  const file = path.join(root, widget);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  writeFileSync(path.join(dir, 'p.patch'), patchText);
  const run = spawnSync('patch', ['-p1', '--dry-run', '--verbose', '--batch', '-d', root, '-i', path.join(dir, 'p.patch')], { encoding: 'utf8' });
  const findings = await analyzePatch(patchText, { file: 'case.patch', sourceRoot: root });
  return { findings, patchSays: run.stdout.split('\n').filter((l) => /^Hunk #/.test(l)) };
}

const above = (n: number) => (text: string) => text.replace('\n', `\n${Array.from({ length: n }, (_, i) => `/* added upstream ${i} */`).join('\n')}\n`);

/** The line numbers a finding names in kernel/widget.c, in its message and its related locations. */
function widgetLines(finding: Finding | undefined): number[] {
  const inMessage = [...(finding?.message ?? '').matchAll(/kernel\/widget\.c:(\d+)/g)].map((m) => Number(m[1]));
  const related = (finding?.related ?? []).filter((r) => r.file.endsWith(widget)).map((r) => r.range.start.line + 1);
  return [...inMessage, ...related];
}

const without = (findings: Finding[], code: string) => findings.filter((f) => f.code !== code).map((f) => `${f.code}@${f.range.start.line}`);

test("LP205: a hunk patch applies with an offset gets patch's own line, and the later checks name the file's real lines", async (t) => {
  const exact = await onTree(t, (text) => text);
  assert.match(exact.patchSays.join('\n'), /^Hunk #1 succeeded at \d+\.$/, 'the patch fits the fixture as it is');
  assert.ok(!codes(exact.findings).includes('LP205'), 'no note where the hunk is where its header says');
  const lines = widgetLines(exact.findings.find((f) => f.code === 'LP211'));
  assert.ok(lines.length, 'LP211 names, by line, the caller the changed function is inlined into');

  const moved = await onTree(t, above(12));
  const note = moved.findings.filter((f) => f.code === 'LP205');
  assert.equal(note.length, 1);
  assert.equal(note[0].severity, 'information');
  assert.equal(note[0].message.split(' kernel/')[0], moved.patchSays[0], 'worded as patch prints it');
  assert.match(moved.patchSays[0], /^Hunk #1 succeeded at \d+ \(offset 12 lines\)\.$/);
  assert.match(patchText.split('\n')[note[0].range.start.line], /^@@ /, 'on the hunk header');
  assert.deepEqual(without(moved.findings, 'LP205'), without(exact.findings, 'LP205'), 'the same findings, on the same patch lines');
  assert.deepEqual(
    widgetLines(moved.findings.find((f) => f.code === 'LP211')),
    lines.map((l) => l + 12),
    'the lines named are those of the file in the source root, 12 further down',
  );
});

test('LP205 with fuzz: a context line changed in the tree, worded as patch prints it', async (t) => {
  const exact = await onTree(t, (text) => text);
  const lastContext =
    patchText
      .split('\n')
      .filter((l) => l.startsWith(' '))
      .pop()
      ?.slice(1) ?? '';
  const fuzzed = await onTree(t, (text) => above(3)(once(lastContext, `${lastContext} /* upstream */`)(text)));
  assert.match(fuzzed.patchSays[0], /^Hunk #1 succeeded at \d+ with fuzz 1 \(offset 3 lines\)\.$/);
  const note = fuzzed.findings.find((f) => f.code === 'LP205');
  assert.equal(note?.message.split(' kernel/')[0], fuzzed.patchSays[0]);
  assert.match(note?.message ?? '', /not compared \(fuzz\)/);
  assert.deepEqual(without(fuzzed.findings, 'LP205'), without(exact.findings, 'LP205'));
});

test('LP201 stays an error where patch FAILS the hunk, with its line; LP204 where it finds the patch reversed', async (t) => {
  const failed = await onTree(t, (text) => above(5)(once('return w->id + 1;', 'return w->id + 9;')(text)));
  assert.match(failed.patchSays[0], /^Hunk #1 FAILED at \d+\.$/);
  const lp201 = failed.findings.find((f) => f.code === 'LP201');
  assert.equal(lp201?.severity, 'error');
  assert.equal(lp201?.message.split(' kernel/')[0], failed.patchSays[0]);
  assert.match(lp201?.message ?? '', /This file was analysed from its hunks alone\.$/);
  assert.ok(!codes(failed.findings).includes('LP205'));

  const applied = await onTree(t, (text) => above(2)(once('return w->id + 1;', 'return w->id + 2;')(text)));
  assert.match(applied.patchSays.join('\n'), /^Hunk #1 succeeded at \d+ \(offset 2 lines\)\.$/, 'patch -t undoes it: "Assuming -R."');
  const lp204 = applied.findings.find((f) => f.code === 'LP204');
  assert.equal(lp204?.severity, 'error');
  assert.match(lp204?.message ?? '', /^Reversed \(or previously applied\) patch detected! kernel\/widget\.c already holds/);
  assert.match(lp204?.message ?? '', /original rebuilt by undoing the hunks/);
  assert.ok(codes(applied.findings).includes('LP211'), 'still analysed against the real file: the change is the same');
  assert.ok(!codes(applied.findings).includes('LP201'));
});

test('LP206: a patch whose paths need -p0 is analysed as -p0 finds it, with a warning that kpatch-build (-p1) will not find it; -p1 paths stay quiet', async () => {
  const withPrefix = await analyzePatch(patchText, { file: 'case.patch', sourceRoot: fixtureTree });
  assert.ok(!codes(withPrefix).includes('LP206'));
  const noPrefix = patchText.replace(/^(diff -rup|---|\+\+\+) .*$/gm, (line) => line.replace(/ [ab]\//g, ' '));
  const findings = await analyzePatch(noPrefix, { file: 'case.patch', sourceRoot: fixtureTree });
  const lp206 = findings.find((f) => f.code === 'LP206');
  assert.equal(lp206?.severity, 'warning');
  assert.match(lp206?.message ?? '', /^kernel\/widget\.c is found in the source root only with `patch -p0` \(the name as written\): `patch -p1`.*can't find file to patch/);
  assert.deepEqual(without(findings, 'LP206'), without(withPrefix, 'LP206'), 'the same analysis otherwise');
});
