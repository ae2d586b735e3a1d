import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { analyzePatch } from '../../../../server/out/checks/patch';
import { analyzeSource } from '../../../../server/out/checks/source/analyzeSource';
import { targetFacts } from '../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../server/out/checks/facts/functionFacts';
import { loadTargetIndex, TargetIndex } from '../../../../server/out/target';
import { runCli } from '../../../../server/out/cli';
import { functionHoverMarkdown } from '../../../../server/out/features/hover';
import type { FunctionReport } from '../../../../server/out/cli/target';
import { fixture } from '../../support/paths';
import { holderOf, NmFunction, nmFunctions, ReadelfFunction, readelfDwarf, ReadelfInline } from './support/symbolOracles';

// gcc -O2 makes clones (.isra, .constprop, .part, .cold) of test/fixtures/target/clones/a.c, and
// b.c has a static function of the same name as one in a.c. nm and readelf are the oracles.
const sources = fixture('target', 'clones');
const image = fixture('build', 'clones', 'clones-target');
let index: TargetIndex;
let facts: FactsProvider;
let nm: NmFunction[];
let dwarf: { inlines: ReadelfInline[]; functions: ReadelfFunction[] };
let parser: Parser;

before(async () => {
  mkdirSync(fixture('build', 'clones'), { recursive: true });
  // prettier-ignore
  execFileSync('gcc', ['-O2', '-g', '-pg', '-mfentry', '-nostdlib', '-static', '-fno-pic', '-no-pie', '-o', image, `${sources}/a.c`, `${sources}/b.c`]);
  index = await loadTargetIndex(image, { cacheDir: null, inWorker: false });
  facts = targetFacts(index);
  nm = nmFunctions(image);
  dwarf = readelfDwarf(image);
  parser = await createCParser();
});

const clone = /\.(isra|constprop|part|cold)\.?\d*/;
const unitOf = (file: string) => dwarf.functions.find((f) => f.unit.endsWith(`/${file}`))!.unit;

test('the fixture has what it is for: gcc made .isra, .constprop, .part and .cold symbols, and two static twins', () => {
  const names = nm.map((f) => f.name);
  for (const kind of ['isra', 'constprop', 'part', 'cold'])
    assert.ok(
      names.some((n) => n.includes(`.${kind}`)),
      `nm lists a .${kind} symbol: ${names.join(' ')}`,
    );
  assert.equal(names.filter((n) => n === 'twin').length, 2);
});

test("every inlined copy's holder is the symbol nm puts at the copy's address, clones named as the image names them", () => {
  let checked = 0;
  for (const site of dwarf.inlines) {
    const holder = holderOf(nm, site.pc);
    if (!holder) continue;
    const found = index.inlinedInto(site.callee).filter((h) => h.sites.some((s) => s.address === site.pc));
    assert.ok(found.length >= 1, `${site.callee} at 0x${site.pc.toString(16)}`);
    assert.ok(
      found.some((h) => h.function === holder.name && h.symbol?.sympos === holder.sympos && h.unit === site.unit),
      `${site.callee} at 0x${site.pc.toString(16)}: ${holder.name},${holder.sympos} (${site.unit}), index says ${found.map((h) => `${h.function},${h.symbol?.sympos} (${h.unit})`).join('; ')}`,
    );
    checked++;
  }
  assert.ok(checked >= 5, `${checked} copies checked`);
  const intoClone = index.inlinedInto('account_switch').map((h) => h.function);
  assert.ok(intoClone.length > 0 && intoClone.every((f) => clone.test(f)), `account_switch sits in a clone, not in its DWARF name: ${intoClone.join(', ')}`);
  assert.ok(!intoClone.includes('finish_switch'), 'finish_switch has no symbol: no copy is charged to it');
});

test('definitions: a source function is the clones nm lists for it, each with its compile unit', () => {
  for (const name of ['finish_switch', 'scale', 'slow_path']) {
    const expected = nm.filter((f) => f.name.startsWith(`${name}.`)).map((f) => f.name);
    assert.ok(expected.length > 0, `${name} has a clone`);
    const definitions = index.definitions(name);
    assert.deepEqual(definitions.map((d) => d.symbol?.name).sort(), expected.sort(), name);
    assert.ok(
      definitions.every((d) => d.unit === unitOf('a.c')),
      name,
    );
  }
});

test("same-named static functions: each definition's sympos is its nm position, and only its own unit's copies are its", () => {
  const twins = nm.filter((f) => f.name === 'twin');
  for (const file of ['a.c', 'b.c']) {
    const unit = unitOf(file);
    const own = dwarf.functions.find((f) => f.name === 'twin' && f.unit === unit)!;
    const [definition] = index.definitions('twin', file);
    assert.equal(definition.unit, unit);
    assert.equal(definition.symbol?.sympos, twins.find((t) => t.address === own.pc)!.sympos, file);
    const holders = new Set(dwarf.inlines.filter((s) => s.callee === 'twin' && s.unit === unit).map((s) => holderOf(nm, s.pc)!.name));
    assert.deepEqual(new Set(index.inlinedInto('twin', unit).map((h) => h.function)), holders, file);
  }
  assert.equal(index.inlinedInto('twin').length, 2, 'without a unit, both twins are listed');
});

test('facts: the scope (file or old_sympos) picks one twin; a clone-only name is described by its clone', () => {
  const b = nm.find((f) => f.name === 'twin' && f.address === dwarf.functions.find((d) => d.name === 'twin' && d.unit === unitOf('b.c'))!.pc)!;
  for (const scope of [{ file: 'b.c' }, { sympos: b.sympos }]) {
    const fn = facts.function('twin', scope)!;
    assert.equal(fn.address, b.address, JSON.stringify(scope));
    assert.equal(fn.unit, unitOf('b.c'));
    assert.deepEqual(
      fn.symbols?.map((s) => [s.name, s.sympos, s.count]),
      [['twin', b.sympos, 2]],
    );
  }
  const finish = facts.function('finish_switch')!;
  const isra = nm.find((f) => f.name.startsWith('finish_switch.'))!;
  assert.equal(finish.count, 0, 'no symbol is called finish_switch');
  assert.equal(finish.address, isra.address);
  assert.deepEqual(
    finish.symbols?.map((s) => s.name),
    [isra.name],
  );
});

function sourceFindings(text: string) {
  const tree = parser.parse(text)!;
  const findings = analyzeSource(tree, { file: 'fix.c', facts, targetName: 'clones-target' });
  tree.delete();
  return findings;
}

const klpModule = (entries: string) => `#include <linux/livepatch.h>
static int fix(void) { return 0; }
static struct klp_func funcs[] = {
${entries}
	{ }
};
static struct klp_object objs[] = { { .funcs = funcs, }, { } };
`;

test('LP118: old_name of a function gcc emitted only as a clone is an error naming the clone; the clone itself is quiet', () => {
  const isra = nm.find((f) => f.name.startsWith('finish_switch.'))!.name;
  const [lp118] = sourceFindings(klpModule('\t{ .old_name = "finish_switch", .new_func = fix, },')).filter((f) => f.code === 'LP118');
  assert.ok(lp118, 'LP118 fires');
  assert.equal(lp118.severity, 'error');
  assert.ok(lp118.message.includes(`.old_name = "${isra}"`), lp118.message);
  assert.match(lp118.message, /kpatch-build and klp-build/);
  const quiet = sourceFindings(klpModule(`\t{ .old_name = "${isra}", .new_func = fix, },`));
  assert.deepEqual(
    quiet.filter((f) => f.code === 'LP118' || f.code === 'LP102'),
    [],
  );
});

test("LP109 with old_sympos lists only that twin's callers, and names them with their sympos where shared", () => {
  const b = index.definitions('twin', 'b.c')[0].symbol!;
  const a = index.definitions('twin', 'a.c')[0].symbol!;
  const callersOf = (unit: string) => new Set(dwarf.inlines.filter((s) => s.callee === 'twin' && s.unit === unit).map((s) => holderOf(nm, s.pc)!.name));
  const message = sourceFindings(klpModule(`\t{ .old_name = "twin", .new_func = fix, .old_sympos = ${b.sympos} },`)).find((f) => f.code === 'LP109')?.message ?? '';
  for (const caller of callersOf(unitOf('b.c'))) assert.ok(message.includes(caller), `${caller} in: ${message}`);
  for (const caller of callersOf(unitOf('a.c'))) assert.ok(!message.includes(`${caller} at`), `${caller} (a.c's) not in: ${message}`);
  assert.ok(message.includes(unitOf('b.c')), message);
  const other = sourceFindings(klpModule(`\t{ .old_name = "twin", .new_func = fix, .old_sympos = ${a.sympos} },`)).find((f) => f.code === 'LP109')?.message ?? '';
  for (const caller of callersOf(unitOf('a.c'))) assert.ok(other.includes(caller), `${caller} in: ${other}`);
});

test("LP211 on a patch to b.c's twin lists the callers in b.c only (the patched file's path against the units)", async () => {
  const patch = `--- a/b.c
+++ b/b.c
@@ -3,3 +3,3 @@ volatile long sink;
 
-static int twin(int x) { return x * 5 - 7; }
+static int twin(int x) { return x * 5 - 8; }
 int (*twin_b)(int) = twin;
`;
  const findings = await analyzePatch(patch, { file: 'twin.patch', sourceRoot: sources, facts });
  const message = findings.find((f) => f.code === 'LP211')?.message ?? '';
  const callers = (unit: string) => new Set(dwarf.inlines.filter((s) => s.callee === 'twin' && s.unit === unit).map((s) => holderOf(nm, s.pc)!.name));
  for (const caller of callers(unitOf('b.c'))) assert.ok(message.includes(`${caller}()`), `${caller} in: ${message}`);
  for (const caller of callers(unitOf('a.c'))) assert.ok(!message.includes(`${caller}()`), `${caller} not in: ${message}`);
});

test('target --json names clones and twins as a klp_func must', async () => {
  let out = '';
  const code = await runCli(['target', image, '--json', '--no-cache', '--function', 'finish_switch', '--function', 'account_switch', '--function', 'twin,2'], {
    out: (t) => (out += t),
    err: () => {},
  });
  assert.equal(code, 0);
  const { functions } = JSON.parse(out) as { functions: Record<string, FunctionReport> };
  const isra = nm.find((f) => f.name.startsWith('finish_switch.'))!.name;
  assert.deepEqual(
    functions.finish_switch.symbols.map((s) => [s.name, s.clone, s.klp]),
    [[isra, true, { old_name: isra, old_sympos: 0 }]],
  );
  assert.deepEqual(functions.account_switch.inlinedInto, [isra]);
  const second = nm.filter((f) => f.name === 'twin')[1];
  const holders = functions['twin,2'].inlinedIntoSymbols;
  assert.ok(holders.length > 0 && holders.every((h) => h.unit === dwarf.functions.find((f) => f.pc === second.address)!.unit));
});

test('hover names the clone a function became and how a klp_func names it, and the clone holding an inlined copy', () => {
  const isra = nm.find((f) => f.name.startsWith('finish_switch.'))!.name;
  const finish = functionHoverMarkdown('finish_switch', 'patched by this klp_func', facts.function('finish_switch'), 'clones-target', []);
  assert.ok(finish.includes(`| symbol | \`${isra}\``), finish);
  assert.ok(finish.includes(`.old_name = "${isra}"`), finish);
  const account = functionHoverMarkdown('account_switch', 'patched by this klp_func', facts.function('account_switch'), 'clones-target', []);
  assert.match(account, new RegExp(`\\| inlined into \\| \`${isra.replace(/\./g, '\\.')}\``));
  const twin = functionHoverMarkdown('twin', 'changed by this hunk', facts.function('twin', { file: 'b.c' }), 'clones-target', []);
  const b = index.definitions('twin', 'b.c')[0].symbol!;
  assert.ok(twin.includes(`.old_name = "twin", .old_sympos = ${b.sympos}`), twin);
});
