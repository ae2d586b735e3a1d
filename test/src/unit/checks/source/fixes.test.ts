import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../../server/out/c/cParser';
import type { FactsProvider } from '../../../../../server/out/checks/facts/functionFacts';
import { analyzeSource } from '../../../../../server/out/checks/source/analyzeSource';
import { fixesFor, TextEdit } from '../../../../../server/out/checks/fixes';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import { fixture, fromRoot } from '../../../support/paths';
import { dupTargetFacts } from './dupTarget';

let parser: Parser;
let dupFacts: FactsProvider;

before(async () => {
  parser = await createCParser();
  dupFacts = await dupTargetFacts('dup-target-fixes');
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
  const fixes = fixesFor(target, text, facts);
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
  assert.deepEqual(
    fixes.map((f) => f.title.replace(/ \(.*/, '')),
    ['Add .old_sympos = 1', 'Add .old_sympos = 2'],
  );
  assert.equal(after.filter((f) => f.code.startsWith('LP10')).length, 0);
  assert.match(fixed, /"dup_fn", \.old_sympos = 2, \.new_func/);
});

test('LP102: did you mean offers the function a misspelling away; taking it satisfies the check', () => {
  const text = 'static struct klp_func funcs[] = {\n\t{ .old_name = "use_aa", .new_func = fix, },\n\t{ }\n};\n';
  const { fixes, after, fixed } = fixAndRecheck(text, 'LP102', dupFacts);
  assert.equal(fixes[0].title, "Did you mean 'use_a'?");
  assert.ok(!after.some((f) => f.code === 'LP102'));
  assert.match(fixed, /\.old_name = "use_a",/);
});

test('LP102: a Xen .old_addr symbol is replaced as a symbol; far-off names and a .name behind a variable get no fix', () => {
  const xen = 'struct livepatch_func f = {\n\t.version = 2,\n\t.old_addr = use_bb,\n\t.new_addr = fix,\n};\n';
  const { fixed } = fixAndRecheck(xen, 'LP102', dupFacts);
  assert.match(fixed, /\.old_addr = use_b,/);
  const tree = parser.parse('static struct klp_func funcs[] = {\n\t{ .old_name = "completely_else", .new_func = fix, },\n\t{ }\n};\n')!;
  const far = analyzeSource(tree, { file: 'f.c', facts: dupFacts }).find((f) => f.code === 'LP102')!;
  tree.delete();
  assert.deepEqual(fixesFor(far, '', dupFacts), []);
  const named = 'static const char n[] = "use_bb";\nstruct livepatch_func f = {\n\t.version = 2,\n\t.name = n,\n\t.new_addr = fix,\n};\n';
  const namedTree = parser.parse(named)!;
  const behind = analyzeSource(namedTree, { file: 'f.c', facts: dupFacts }).find((f) => f.code === 'LP102');
  namedTree.delete();
  assert.ok(behind, 'the resolved name is checked');
  assert.deepEqual(fixesFor(behind, named, dupFacts), [], 'the string lives in the variable, not at .name');
});

test('LP120: the missing revert hook is added with a stub', () => {
  const text = 'static int apply_it(livepatch_payload_t *p) { return 0; }\nLIVEPATCH_APPLY_HOOK(apply_it);\n';
  const { fixed, after } = fixAndRecheck(text, 'LP120');
  assert.equal(after.length, 0);
  assert.match(fixed, /LIVEPATCH_REVERT_HOOK\(apply_it_revert\);/);
  assert.match(fixed, /static int apply_it_revert\(livepatch_payload_t \*payload\)/);
});

test('LP220: a struct layout change in a patch gets a shadow-variable skeleton file that parses and passes our own shadow checks', async () => {
  const patch = fromRoot('samples/patches/task-struct-layout.patch');
  const findings = await analyzePatch(readFileSync(patch, 'utf8'), { file: patch, sourceRoot: fromRoot('samples') });
  const layout = findings.find((f) => f.code === 'LP220');
  assert.ok(layout, findings.map((f) => f.code).join());
  const [fix] = fixesFor(layout, '');
  assert.ok(fix?.createFile);
  assert.equal(fix.createFile.path, fromRoot('samples/patches/task_struct_shadow.c'));
  const tree = parser.parse(fix.createFile.text)!;
  assert.equal(tree.rootNode.hasError, false, fix.createFile.text);
  assert.deepEqual(
    analyzeSource(tree, { file: 'task_struct_shadow.c' }).map((f) => f.code),
    [],
    'allocated shadows are freed',
  );
  // The patch adds `nivcsw` (see samples/patches/task-struct-layout.patch): the skeleton is about that member.
  assert.match(fix.createFile.text, /klp_shadow_get_or_alloc\(obj, SV_TASK_STRUCT_NIVCSW, sizeof\(unsigned long\)/);
  tree.delete();
});
