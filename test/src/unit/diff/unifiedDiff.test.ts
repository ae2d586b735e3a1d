import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { fromRoot } from '../../support/paths';
import { diffOutput, git, inTempDir } from './oracle';

const samplePatch = (name: string): string => readFileSync(fromRoot('samples', 'patches', name), 'utf8');

test('every line of a hunk is counted against its header, and line numbers follow the header', () => {
  const text = samplePatch('task-struct-layout.patch');
  const parsed = parseUnifiedDiff(text);
  assert.deepEqual(parsed.problems, []);
  const lines = text.split('\n');
  assert.deepEqual(
    parsed.files.map((f) => f.newPath),
    ['include/linux/sched.h', 'target/exit.c'],
  );
  for (const file of parsed.files) {
    for (const hunk of file.hunks) {
      assert.equal(lines[hunk.patchLine].slice(0, 2), '@@');
      assert.equal(hunk.lines.filter((l) => l.kind !== 'added').length, hunk.oldCount);
      assert.equal(hunk.lines.filter((l) => l.kind !== 'removed').length, hunk.newCount);
      for (const line of hunk.lines) assert.equal(lines[line.patchLine].slice(1), line.text, 'patchLine points at the line itself');
    }
  }
  const added = parsed.files[0].hunks[0].lines.find((l) => l.kind === 'added');
  assert.equal(added?.text, '\tunsigned long nivcsw;');
  // The oracle for the new line number: the line in the patched header that git wrote it from.
  const sched = readFileSync(fromRoot('samples', 'include', 'linux', 'sched.h'), 'utf8').split('\n');
  assert.equal(sched[(added?.newLine ?? 0) - 2], '\tunsigned long nvcsw;');
  assert.equal(parsed.files[0].hunks[0].section, 'struct task_struct {');
});

test('git headers: added, deleted, renamed, mode-only and binary files, and quoted names, as git writes them', () => {
  inTempDir((dir) => {
    git(dir, 'init', '-q');
    writeFileSync(path.join(dir, 'keep.c'), 'int a;\nint b;\n');
    writeFileSync(path.join(dir, 'gone.c'), 'int gone;\n');
    writeFileSync(path.join(dir, 'old name.c'), Array.from({ length: 20 }, (_, i) => `int v${i};`).join('\n') + '\n');
    writeFileSync(path.join(dir, 'run.sh'), 'echo\n');
    writeFileSync(path.join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3]));
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(path.join(dir, 'keep.c'), 'int a;\nint c;\n');
    git(dir, 'rm', '-q', 'gone.c');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'new\tfile.c'), 'int fresh;');
    git(dir, 'mv', 'old name.c', 'new name.c');
    chmodSync(path.join(dir, 'run.sh'), 0o755);
    writeFileSync(path.join(dir, 'blob.bin'), Buffer.from([0, 9, 9, 3]));
    git(dir, 'add', '-A');
    const text = git(dir, 'diff', '--cached', '-M');
    const parsed = parseUnifiedDiff(text);
    assert.deepEqual(parsed.problems, []);
    const byPath = new Map(parsed.files.map((f) => [f.newPath ?? f.oldPath, f]));
    assert.equal(byPath.get('keep.c')?.status, 'modified');
    assert.equal(byPath.get('gone.c')?.status, 'deleted');
    assert.equal(byPath.get('gone.c')?.newPath, null);
    assert.equal(byPath.get('sub/new\tfile.c')?.status, 'added', 'a C-quoted name is unquoted');
    assert.equal(byPath.get('sub/new\tfile.c')?.oldPath, null);
    assert.equal(byPath.get('sub/new\tfile.c')?.hunks[0].lines[0].noNewlineAtEnd, true);
    assert.equal(byPath.get('new name.c')?.status, 'renamed');
    assert.equal(byPath.get('new name.c')?.oldPath, 'old name.c');
    assert.equal(byPath.get('new name.c')?.hunks.length, 0);
    assert.equal(byPath.get('run.sh')?.hunks.length, 0);
    assert.equal(byPath.get('blob.bin')?.binary, true);
    assert.equal(parsed.files.length, 6);
  });
});

test('plain diff -u headers: timestamps cut at the tab, the first directory stripped like patch -p1, /dev/null as absent', () => {
  inTempDir((dir) => {
    mkdirSync(path.join(dir, 'orig'));
    mkdirSync(path.join(dir, 'new'));
    writeFileSync(path.join(dir, 'orig', 'x.c'), 'int a;\n');
    writeFileSync(path.join(dir, 'new', 'x.c'), 'int b;\n');
    writeFileSync(path.join(dir, 'new', 'y.c'), 'int y;\n');
    const parsed = parseUnifiedDiff(diffOutput('diff', ['-ruN', 'orig', 'new'], dir));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.files.map((f) => [f.oldPath, f.newPath, f.status]),
      [
        ['x.c', 'x.c', 'modified'],
        // -N writes an empty old file rather than /dev/null; the name still says where it goes.
        ['y.c', 'y.c', 'modified'],
      ],
    );
    const fromNull = parseUnifiedDiff('--- /dev/null\n+++ b/z.c\t2024-01-01\n@@ -0,0 +1 @@\n+int z;\n');
    assert.deepEqual([fromNull.files[0].oldPath, fromNull.files[0].newPath, fromNull.files[0].status], [null, 'z.c', 'added']);
  });
});

test('a commit message, a format-patch signature and CRLF line ends are not read as diff lines', () => {
  const text = samplePatch('cmdline-safe.patch');
  const mail = `From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n--- not a header\n---\n proc.c | 1 +\n\n${text}-- \n2.39.2\n`;
  const parsed = parseUnifiedDiff(mail.replace(/\n/g, '\r\n'));
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.files.length, 1);
  assert.deepEqual(
    parsed.files[0].hunks[0].lines.map((l) => l.text),
    parseUnifiedDiff(text).files[0].hunks[0].lines.map((l) => l.text),
  );
});

test('an empty context line whose blank was stripped by an editor still counts as context', () => {
  const parsed = parseUnifiedDiff('--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n\n-int b;\n+int c;\n');
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(
    parsed.files[0].hunks[0].lines.map((l) => l.kind),
    ['context', 'context', 'removed', 'added'],
  );
});

test('malformed patches are reported on the line that is wrong, and parsing goes on', () => {
  const cut = parseUnifiedDiff('--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n');
  assert.equal(cut.problems.length, 1);
  assert.equal(cut.problems[0].patchLine, 2);
  assert.match(cut.problems[0].message, /cut short at the end of the patch: 1 old and 2 new line\(s\) missing/);

  const badHeader = parseUnifiedDiff('--- a/x.c\n+++ b/x.c\n@@ -1,x +1 @@\n-int a;\n+int b;\n--- a/y.c\n+++ b/y.c\n@@ -1 +1 @@\n-int c;\n+int d;\n');
  assert.deepEqual(
    badHeader.problems.map((p) => p.patchLine),
    [2],
  );
  assert.match(badHeader.problems[0].message, /malformed hunk header/);
  assert.equal(badHeader.files[1].hunks.length, 1, 'the next file is still read');

  const orphan = parseUnifiedDiff('just text\n@@ -1 +1 @@\n-a\n+b\n');
  assert.deepEqual(
    orphan.problems.map((p) => p.patchLine),
    [1],
  );
  assert.match(orphan.problems[0].message, /outside any file/);
});

test('no input makes the parser throw or hang: every prefix and every line-dropped variant of the sample patches', () => {
  for (const name of ['task-struct-layout.patch', 'update-curr-partly-inlined.patch']) {
    const lines = samplePatch(name).split('\n');
    for (let n = 0; n < lines.length; n++) {
      const prefix = parseUnifiedDiff(lines.slice(0, n).join('\n'));
      for (const problem of prefix.problems) assert.ok(problem.patchLine >= 0 && problem.patchLine < Math.max(n, 1));
      const dropped = parseUnifiedDiff([...lines.slice(0, n), ...lines.slice(n + 1)].join('\n'));
      // Dropping a hunk line must be noticed: the counts no longer match.
      if (/^[ +-]/.test(lines[n]) && !/^(---|\+\+\+) /.test(lines[n])) assert.ok(dropped.problems.length > 0, `dropping line ${n + 1} of ${name} goes unnoticed`);
    }
  }
});
