import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DwarfReader, readElf } from '../../../../server/out/elf';
import { fromRoot } from '../../support/paths';
import { buildFixtures, Fixtures, run } from '../elf/support/fixtures';
import { readelfFileNames, readelfInlineTuples } from './oracles';

let fx: Fixtures;
const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
before(() => {
  fx = buildFixtures();
  run('make', ['-s', '-C', fromRoot('samples')]);
});

const files = (): Array<[string, string]> => [
  ['relocatable, DWARF 5', fx.objectDwarf5],
  ['relocatable, DWARF 4', fx.objectDwarf4],
  ['relocatable, -gz', fx.objectCompressed],
  ['linked, DWARF 5', fx.image],
  ['linked, DWARF 4', fx.imageDwarf4],
  ['linked, compressed', fx.imageCompressed],
  ['sample target', sampleTarget],
];

test('every inlined copy (callee, out-of-line function, immediate caller, call line) equals the readelf DIE tree', () => {
  for (const [label, file] of files()) {
    const elf = readElf(file);
    const facts = new DwarfReader(elf).scan();
    const ours = facts.inlines.map((i) => `${i.callee}|${i.function}|${i.caller}|${i.callLine}`).sort();
    const oracle = readelfInlineTuples(file);
    assert.ok(oracle.length >= 5, `${label}: readelf shows ${oracle.length} inlined copies`);
    assert.deepEqual(ours, oracle, label);
    elf.close();
  }
});

test('nested inlining is attributed to the outermost out-of-line function, with the inline parent as caller', () => {
  const elf = readElf(fx.image);
  const inlines = new DwarfReader(elf).scan().inlines;
  const mixInSchedule = inlines.filter((i) => i.callee === 'mix' && i.function === '__schedule');
  assert.ok(mixInSchedule.length > 0, 'mix reaches __schedule through context_switch');
  assert.ok(mixInSchedule.every((i) => i.caller === 'context_switch'));
  elf.close();
});

test('call files name the line-table entry readelf shows for DW_AT_call_file', () => {
  for (const [label, file] of files().filter(([l]) => l !== 'sample target')) {
    const elf = readElf(file);
    const names = readelfFileNames(file);
    const inlines = new DwarfReader(elf).scan().inlines;
    assert.ok(names.size > 0, label);
    for (const site of inlines) assert.equal(path.basename(site.callFile), 'kfuncs.c', `${label}: ${site.callee} in ${site.function}`);
    assert.ok([...names.values()].includes('kfuncs.c'), label);
    elf.close();
  }
});

test('concrete and abstract subprograms: out-of-line copies have code, inline-only ones do not', () => {
  const elf = readElf(fx.image);
  const subprograms = new DwarfReader(elf).scan().subprograms;
  const concrete = new Set(subprograms.filter((s) => s.concrete).map((s) => s.name));
  const abstract = new Set(subprograms.filter((s) => !s.concrete).map((s) => s.name));
  for (const name of ['__schedule', 'partly', 'traced_caller', 'helper', 'tiny']) assert.ok(concrete.has(name), name);
  for (const name of ['context_switch', 'pick_next_task', 'list_add', 'mix']) {
    assert.ok(abstract.has(name) && !concrete.has(name), name);
  }
  const schedule = subprograms.find((s) => s.name === '__schedule' && s.concrete)!;
  const symbol = elf.symbols().find((s) => s.name === '__schedule')!;
  assert.equal(schedule.lowPc, symbol.value, 'DW_AT_low_pc of a linked image is the symbol address');
  elf.close();
});

test('DWARF 4 and DWARF 5 builds of the same code give the same inline map', () => {
  const map = (file: string): string[] => {
    const elf = readElf(file);
    const result = new DwarfReader(elf)
      .scan()
      .inlines.map((i) => `${i.callee}|${i.function}|${i.callLine}`)
      .sort();
    elf.close();
    return result;
  };
  assert.deepEqual(map(fx.objectDwarf4), map(fx.objectDwarf5));
  assert.deepEqual(map(fx.imageCompressed), map(fx.image));
});
