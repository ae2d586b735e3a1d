import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { DwarfReader, readElf } from '../../../../server/out/elf';
import { dwarfTables, mergeDwarfTables } from '../../../../server/out/target/dwarfTables';
import { StringTable } from '../../../../server/out/target/stringTable';
import { DwarfTables } from '../../../../server/out/target/tables';
import { fromRoot } from '../../support/paths';
import { run } from '../elf/support/fixtures';

// The sample target: ten compile units, with inlined copies and structs (some defined in several units) in most.
const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
before(() => {
  run('make', ['-s', '-C', fromRoot('samples')]);
});

type Merged = ReturnType<typeof mergeDwarfTables>;

/** The merged tables with ids spelled out, so tables with different string ids compare. */
function spelled(t: Merged, strings: string[]): unknown {
  const i = t.inlines;
  return {
    inlines: Array.from(i.callee, (callee, n) => [strings[callee], strings[i.function[n]], strings[i.caller[n]], strings[i.file[n]], i.line[n], i.address[n], i.func[n]]),
    functions: Array.from(t.functions.name, (id, f) => [strings[id], strings[t.functions.unit[f]], t.functions.address[f]]),
    structs: Array.from(t.structs.name, (name, s) => {
      const first = t.structs.firstMember[s];
      const members = Array.from({ length: t.structs.memberCount[s] }, (_, k) => {
        const m = first + k;
        return [strings[t.members.name[m]], strings[t.members.type[m]], t.members.offset[m], t.members.size[m], t.members.bitSize[m], t.members.bitOffset[m]];
      });
      return [strings[name], t.structs.kind[s], t.structs.size[s], members];
    }),
  };
}

test('slices of .debug_info scanned apart (as the workers do) and merged give what one sequential scan gives', () => {
  const elf = readElf(sampleTarget);
  try {
    const scan = (index: number, count: number): DwarfTables => dwarfTables(new DwarfReader(elf).scanColumns({ part: { index, count } }));
    const wholeStrings = new StringTable();
    const whole = spelled(mergeDwarfTables([scan(0, 1)], wholeStrings), wholeStrings.strings);
    for (const count of [2, 3, 4, 6]) {
      const parts = Array.from({ length: count }, (_, index) => scan(index, count));
      const withSites = parts.filter((p) => p.inlines.callee.length > 0 && p.structs.name.length > 0);
      assert.ok(withSites.length >= 2, `${count} slices: more than one holds inlined copies and structs`);
      const strings = new StringTable();
      assert.deepEqual(spelled(mergeDwarfTables(parts, strings), strings.strings), whole, `${count} slices`);
    }
  } finally {
    elf.close();
  }
});
