import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, test } from 'node:test';
import { FunctionNames, loadTargetIndex, type TargetIndex } from '../../../../server/out/target';
import { functionSymbols } from '../../support/functionSymbols';
import { fromRoot } from '../../support/paths';

// The sorted function names behind completion and "did you mean", against readelf on the sample target.

const target = fromRoot('samples/build/target/sample-target');
let index: TargetIndex;
/** The target's FUNC symbols (readelf) with how many share each name. */
const nm = new Map<string, number>();

before(async () => {
  execFileSync('make', ['-s', '-C', fromRoot('samples')]);
  index = await loadTargetIndex(target, { cacheDir: null, inWorker: false });
  for (const [name, count] of functionSymbols(target)) nm.set(name, count);
});

test('withPrefix: every FUNC symbol readelf lists with the prefix, in order, with its count; no data symbols', () => {
  const names = FunctionNames.of(index.tables);
  assert.equal(names.size, nm.size);
  for (const prefix of ['', 'x', 'xen_', 'sched', 'cmdline_proc_show', 'zzz']) {
    const expected = [...nm.keys()].filter((n) => n.startsWith(prefix)).sort();
    const { functions, complete } = names.withPrefix(prefix, 10_000);
    assert.deepEqual(
      functions.map((f) => f.name),
      expected,
      prefix,
    );
    assert.ok(complete);
    for (const f of functions) assert.equal(f.count, nm.get(f.name));
  }
  const capped = names.withPrefix('', 3);
  assert.equal(capped.functions.length, 3);
  assert.equal(capped.complete, false);
  assert.ok(!names.withPrefix('saved_command_line', 10).functions.length, 'a variable is not a function');
});

test('nearest: a swap, a missing letter, an extra letter find the name; an unrelated word finds nothing', () => {
  const names = FunctionNames.of(index.tables);
  const real = [...nm.keys()].filter((n) => n.length >= 9);
  assert.ok(real.length > 5);
  for (const name of real) {
    const swapped = name.slice(0, 3) + name[4] + name[3] + name.slice(5);
    if (swapped !== name) assert.ok(names.nearest(swapped).includes(name), `${swapped} -> ${name}`);
    assert.ok(names.nearest(name.slice(0, -1)).includes(name), `${name.slice(0, -1)} -> ${name}`);
    assert.ok(names.nearest(`${name}s`).includes(name), `${name}s -> ${name}`);
    assert.ok(!names.nearest(name).includes(name), 'the name itself is no suggestion');
  }
  assert.deepEqual(names.nearest('qqqqqqqqqqqqqqqq'), []);
  assert.ok(names.nearest('a', 100).length <= 100);
});
