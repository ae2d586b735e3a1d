import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../../server/out/c/cParser';
import { targetFacts } from '../../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../../server/out/checks/facts/functionFacts';
import { analyzeSource } from '../../../../../server/out/checks/source/analyzeSource';
import { fixesFor, TextEdit } from '../../../../../server/out/checks/source/fixes';
import { loadTargetIndex } from '../../../../../server/out/target';
import { fixture } from '../../../support/paths';

let parser: Parser;
let dupFacts: FactsProvider;

before(async () => {
  parser = await createCParser();
  const out = fixture('build', 'dup-target-fixes');
  mkdirSync(out, { recursive: true });
  execFileSync('gcc', ['-O2', '-pg', '-mfentry', '-nostdlib', '-static', '-fno-pic', '-no-pie', '-o', `${out}/dup`, fixture('checks/source/dup-target/a.c'), fixture('checks/source/dup-target/b.c')]);
  dupFacts = targetFacts(await loadTargetIndex(`${out}/dup`, { cacheDir: null, inWorker: false }));
});

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; column: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.column;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

/** Applies the first (or chosen) fix of the first finding with `code`, then checks the result again. */
function fixAndRecheck(text: string, code: string, facts?: FactsProvider, choose = 0) {
  const analyze = (t: string) => {
    const tree = parser.parse(t)!;
    const result = { findings: analyzeSource(tree, { file: 'f.c', ...(facts ? { facts } : {}) }), hasError: tree.rootNode.hasError };
    tree.delete();
    return result;
  };
  const before = analyze(text);
  const target = before.findings.find((f) => f.code === code);
  assert.ok(target, `${code} fires before the fix`);
  const fixes = fixesFor(target, text);
  assert.ok(fixes[choose], `a fix is offered for ${code}`);
  const fixed = apply(text, fixes[choose].edits);
  const after = analyze(fixed);
  assert.equal(after.hasError, false, `the fixed text still parses:\n${fixed}`);
  return { fixed, after: after.findings, fixes };
}

test('LP101: the sentinel goes in before the closing brace, on its own line', () => {
  const text = readFileSync(fixture('checks/source/klp_checks.c'), 'utf8');
  const { fixed, after } = fixAndRecheck(text, 'LP101');
  assert.ok(!after.some((f) => f.code === 'LP101'));
  assert.match(fixed, /\.old_sympos = 1 \},\n\t\{ \}\n\};/);
});

test('LP101 on a one-line array without a trailing comma', () => {
  const { fixed, after } = fixAndRecheck('static struct klp_func f[] = { { .old_name = "a", .new_func = b } };\n', 'LP101');
  assert.equal(after.length, 0);
  assert.match(fixed, /\{ \.old_name = "a", \.new_func = b \}, \{ \} \};/);
});

test('LP103: one fix per candidate; taking position 2 satisfies the kernel', () => {
  const text = 'static struct klp_func funcs[] = {\n\t{ .old_name = "dup_fn", .new_func = fix, },\n\t{ }\n};\n';
  const { fixes, after, fixed } = fixAndRecheck(text, 'LP103', dupFacts, 1);
  assert.deepEqual(fixes.map((f) => f.title.replace(/ \(.*/, '')), ['Add .old_sympos = 1', 'Add .old_sympos = 2']);
  assert.equal(after.filter((f) => f.code.startsWith('LP10')).length, 0);
  assert.match(fixed, /"dup_fn", \.old_sympos = 2, \.new_func/);
});

test('LP120: the missing revert hook is added with a stub', () => {
  const text = 'static int apply_it(livepatch_payload_t *p) { return 0; }\nLIVEPATCH_APPLY_HOOK(apply_it);\n';
  const { fixed, after } = fixAndRecheck(text, 'LP120');
  assert.equal(after.length, 0);
  assert.match(fixed, /LIVEPATCH_REVERT_HOOK\(apply_it_revert\);/);
  assert.match(fixed, /static int apply_it_revert\(livepatch_payload_t \*payload\)/);
});
