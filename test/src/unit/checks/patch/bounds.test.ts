import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import { configureLimits } from '../../../../../server/out/limits';
import { distDir } from '../../../support/paths';

const source = 'int f0(int x)\n{\n\tint y = x;\n\treturn y + 0;\n}\n';
const hunk = (at: string) => `--- a/t.c\n+++ b/t.c\n@@ -${at},1 +${at},1 @@ int f0(int x)\n-\tint y = x;\n+\tint y = -x;\n`;
const root = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-bounds-'));
  writeFileSync(path.join(dir, 't.c'), source);
  return dir;
};
const codes = (findings: Array<{ code: string }>) => findings.map((f) => f.code);

test('LP235 fires on a patch past the size limit and on a line past the length limit, naming the file, the line and the way out', async (t) => {
  t.after(() => configureLimits({}));
  const patch = hunk('3');
  configureLimits({ documentBytes: patch.length - 1 });
  const [big] = await analyzePatch(patch, { file: 'p.patch' });
  assert.equal(big.code, 'LP235');
  assert.match(
    big.message,
    new RegExp(
      `^p\\.patch is ${patch.length} bytes long, more than the ${patch.length - 1} bytes per document.*--limit documentBytes=N or the setting livepatch\\.limits\\.documentMiB\\.$`,
    ),
  );
  configureLimits({ lineLength: 12 });
  const [long] = await analyzePatch(patch, { file: 'p.patch' });
  assert.equal(long.code, 'LP235');
  assert.equal(long.range.start.line, 2, 'the first line too long: the hunk header');
  assert.match(long.message, new RegExp(`^line 3 of p\\.patch is ${patch.split('\n')[2].length} characters long, more than the 12 characters per line`));
});

test('LP235 stays quiet on the same patch within the limits', async () => {
  configureLimits({
    documentBytes: hunk('3').length,
    lineLength: Math.max(
      ...hunk('3')
        .split('\n')
        .map((l) => l.length),
    ),
  });
  try {
    assert.ok(!codes(await analyzePatch(hunk('3'), { file: 'p.patch', sourceRoot: root() })).includes('LP235'));
  } finally {
    configureLimits({});
  }
});

test('the CLI refuses an oversized C source with LP235 before parsing it', () => {
  const dir = root();
  writeFileSync(path.join(dir, 'm.c'), `static struct klp_func funcs[] = { { .old_name = "${'x'.repeat(200)}" }, { } };\n`);
  const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'check', '--limit', 'lineLength=100', path.join(dir, 'm.c'), '--format', 'json'], { encoding: 'utf8' });
  const findings = JSON.parse(run.stdout) as Array<{ code: string; line: number }>;
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.code}`),
    ['1:LP235'],
    run.stderr,
  );
  assert.equal(run.status, 1);
});

test('a hunk number past 2^53 is a malformed patch and one past the end does not apply, each at once (it hung the server)', async () => {
  const started = Date.now();
  const huge = await analyzePatch(hunk('9007199254740993'), { file: 'p.patch', sourceRoot: root() });
  assert.deepEqual(codes(huge), ['LP200']);
  assert.match(huge[0].message, /9007199254740993/);
  const pastEnd = await analyzePatch(hunk('4294967296'), { file: 'p.patch', sourceRoot: root() });
  assert.ok(codes(pastEnd).includes('LP201'), codes(pastEnd).join());
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
});

test('a C source past cParseBytes is not parsed: one LP235 information at line 1 naming its size, the bound and the setting; one byte fewer is analysed', () => {
  const dir = root();
  // No `{ }` at the end: LP101 when it is analysed.
  const text = `static struct klp_func funcs[] = {\n\t{ .old_name = "cmdline_proc_show", .new_func = 0 },\n};\n`;
  writeFileSync(path.join(dir, 'm.c'), text);
  const check = (limit: number) => {
    const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'check', '--limit', `cParseBytes=${limit}`, path.join(dir, 'm.c'), '--format', 'json'], {
      encoding: 'utf8',
    });
    return { run, findings: JSON.parse(run.stdout) as Array<{ code: string; line: number; severity: string; message: string }> };
  };
  const refused = check(text.length - 1);
  assert.deepEqual(
    refused.findings.map((f) => `${f.line}:${f.code}:${f.severity}`),
    ['1:LP235:information'],
  );
  assert.equal(
    refused.findings[0].message,
    `${path.join(dir, 'm.c')} is ${text.length} bytes long, more than the ${text.length - 1} bytes of C the parser reads, so it is not parsed: it gets no livepatch checks, outline or hovers. Every .c file of Linux 6.1 is under 2 MiB (the largest 1.7 MB); a C file this size is usually generated. To have it parsed, raise it with --limit cParseBytes=N or the setting livepatch.limits.cParseMiB (at most 16 MiB).`,
  );
  assert.equal(refused.run.status, 0, 'information, not an error');
  const analysed = check(text.length);
  assert.ok(!analysed.findings.some((f) => f.code === 'LP235'));
  assert.ok(
    analysed.findings.some((f) => f.code === 'LP101'),
    'the LP1xx checks ran',
  );
});

test('a file a patch touches past cParseBytes is classified from its hunks, with an LP235 information saying so; within it, from the source', async (t) => {
  t.after(() => configureLimits({}));
  const dir = root();
  configureLimits({ cParseBytes: source.length - 1 });
  const refused = await analyzePatch(hunk('3'), { file: 'p.patch', sourceRoot: dir });
  const bound = refused.filter((f) => f.code === 'LP235');
  assert.equal(bound.length, 1, codes(refused).join());
  assert.equal(bound[0].severity, 'information');
  assert.equal(bound[0].where, 't.c');
  assert.equal(
    bound[0].message,
    `t.c is ${source.length} bytes long, more than the ${source.length - 1} bytes of C the parser reads, so it is not parsed; raise it with --limit cParseBytes=N or the setting livepatch.limits.cParseMiB to have it classified from the source.`,
  );
  // The patched file is one byte longer (`-x`).
  configureLimits({ cParseBytes: source.length + 1 });
  assert.ok(!codes(await analyzePatch(hunk('3'), { file: 'p.patch', sourceRoot: dir })).includes('LP235'));
});
