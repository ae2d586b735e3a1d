import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { DwarfReader, readElf, StructLayout } from '../../../../server/out/elf';
import { fromRoot } from '../../support/paths';
import { buildFixtures, Fixtures, run } from '../elf/support/fixtures';
import { gdbLayout, gdbMemberTypes, gdbSpelling } from './oracles';

let fx: Fixtures;
const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
before(() => {
  fx = buildFixtures();
  run('make', ['-s', '-C', fromRoot('samples')]);
});

function assertLayoutMatchesGdb(file: string, layout: StructLayout | undefined, name: string): void {
  assert.ok(layout, `${file}: ${name} is indexed`);
  const oracle = gdbLayout(file, layout.kind, name);
  const where = `${file} ${layout.kind} ${name}`;
  assert.equal(layout.size, oracle.size, `${where}: size`);
  assert.deepEqual(
    layout.members.map((m) => m.name),
    oracle.members.map((m) => m.name),
    `${where}: members`,
  );
  layout.members.forEach((m, i) => {
    const o = oracle.members[i];
    assert.equal(m.size, o.size, `${where}.${m.name}: size`);
    if (o.bit === undefined) {
      assert.equal(m.offset, o.offset, `${where}.${m.name}: offset`);
      assert.equal(m.bitSize, undefined, `${where}.${m.name}: not a bit-field`);
    } else {
      assert.equal(m.bitOffset, o.offset * 8 + o.bit, `${where}.${m.name}: bit position`);
      assert.equal(m.offset, Math.floor((o.offset * 8 + o.bit) / 8), `${where}.${m.name}: byte offset`);
    }
  });
  const types = gdbMemberTypes(
    file,
    layout.kind,
    name,
    layout.members.map((m) => m.name),
  );
  assert.deepEqual(
    layout.members.map((m) => gdbSpelling(m.type)),
    types,
    `${where}: member types`,
  );
}

test('struct layouts (size, members, offsets, bit-fields, sizes, C types) equal gdb ptype/o and whatis', () => {
  for (const file of [fx.objectDwarf5, fx.objectDwarf4, fx.objectCompressed, fx.image, fx.imageDwarf4]) {
    const elf = readElf(file);
    const structs = new DwarfReader(elf).scan().structs;
    for (const name of ['task', 'rq', 'list_head']) assertLayoutMatchesGdb(file, structs.get(name), name);
    elf.close();
  }
});

test("the sample target's structs equal gdb", () => {
  const elf = readElf(sampleTarget);
  const structs = new DwarfReader(elf).scan().structs;
  for (const name of ['task_struct', 'rq', 'seq_file', 'sysinfo']) assertLayoutMatchesGdb(sampleTarget, structs.get(name), name);
  elf.close();
});

test('bit-fields read the same from DWARF 4 (DW_AT_bit_offset) and DWARF 5 (DW_AT_data_bit_offset)', () => {
  const layout = (file: string): StructLayout | undefined => {
    const elf = readElf(file);
    const result = new DwarfReader(elf).scan().structs.get('task');
    elf.close();
    return result;
  };
  const five = layout(fx.objectDwarf5)!;
  assert.deepEqual(layout(fx.objectDwarf4), five);
  assert.deepEqual(
    five.members.filter((m) => m.bitSize !== undefined).map((m) => [m.name, m.bitSize]),
    [
      ['flags', 3],
      ['on_rq', 1],
      ['prio', 12],
    ],
  );
});

test('structLayouts(names) reads only the structs named, each as gdb lays it out', () => {
  for (const file of [fx.objectDwarf5, fx.objectDwarf4, fx.image, sampleTarget]) {
    const elf = readElf(file);
    const wanted = file === sampleTarget ? ['rq', 'seq_file'] : ['list_head', 'rq'];
    const structs = new DwarfReader(elf).structLayouts(new Set([...wanted, 'no_such_struct']));
    assert.deepEqual([...structs.keys()].sort(), wanted, `${file}: only the structs named (and present)`);
    for (const name of wanted) assertLayoutMatchesGdb(file, structs.get(name), name);
    elf.close();
  }
});
