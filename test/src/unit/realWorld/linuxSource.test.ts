import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { findLivepatchConstructs } from '../../../../server/out/c/livepatchConstructs';
import { analyzePatch } from '../../../../server/out/checks/patch';
import { analyzeSource } from '../../../../server/out/checks/source/analyzeSource';
import { linuxSourceTree, noLinuxSource } from '../../support/linuxSourceTree';
import { fixture } from '../../support/paths';

// Optional: real kernel sources from Debian's linux-source-6.1. Skipped (and reported as
// skipped, not passed) on machines without the package.
const skip = noLinuxSource;
let tree: string;

let parser: Parser;
before(async () => {
  if (skip) return;
  parser = await createCParser();
  tree = linuxSourceTree();
});

const cFiles = (dir: string): string[] =>
  readdirSync(path.join(tree, dir))
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(tree, dir, f));

test('the source checks run over kernel/sched, kernel/livepatch and samples/livepatch without an analyzer error', { skip }, () => {
  const files = [...cFiles('kernel/sched'), ...cFiles('kernel/livepatch'), ...cFiles('samples/livepatch')];
  assert.ok(files.length > 30, `${files.length} files`);
  for (const file of files) {
    const parsed = parser.parse(readFileSync(file, 'utf8'))!;
    assert.doesNotThrow(() => analyzeSource(parsed, { file }), file);
    parsed.delete();
  }
});

test("the kernel's own livepatch samples: their klp_func entries are found, with the functions they patch", { skip }, () => {
  const patched = new Set<string>();
  for (const file of cFiles('samples/livepatch')) {
    const parsed = parser.parse(readFileSync(file, 'utf8'))!;
    for (const construct of findLivepatchConstructs(parsed).filter((c) => c.kind === 'klp_func')) construct.entries.forEach((e) => patched.add(e.name));
    parsed.delete();
  }
  // samples/livepatch/livepatch-sample.c replaces cmdline_proc_show; the shadow fixes patch dummy_alloc and dummy_free.
  for (const name of ['cmdline_proc_show', 'dummy_alloc', 'dummy_free']) assert.ok(patched.has(name), `${name} in ${[...patched].join(',')}`);
});

test('a patch to kernel/sched/core.c is analysed against the real tree: classified, no analyzer error, within a second', { skip }, async () => {
  const original = path.join(tree, 'kernel/sched/core.c');
  const text = readFileSync(original, 'utf8');
  const anchor = text.indexOf('void scheduler_tick(void)');
  assert.ok(anchor > 0);
  const bodyLine = text.indexOf('\n', text.indexOf('{', anchor)) + 1;
  const changed = `${text.slice(0, bodyLine)}\t/* live patched */\n${text.slice(bodyLine)}`;
  const copy = fixture('build', 'core-patched.c');
  writeFileSync(copy, changed);
  let diff = '';
  try {
    execFileSync('diff', ['-u', '--label', 'a/kernel/sched/core.c', '--label', 'b/kernel/sched/core.c', original, copy]);
  } catch (error) {
    diff = (error as { stdout: Buffer }).stdout.toString();
  }
  assert.match(diff, /^@@ /m);
  const started = Date.now();
  const findings = await analyzePatch(diff, { file: 'core.patch', sourceRoot: tree });
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(
    findings.filter((f) => ['LP200', 'LP201', 'LP203'].includes(f.code)).map((f) => f.message),
    [],
    'no parse or apply problem',
  );
  assert.ok(seconds < 5, `${seconds} s`);
});
