import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { disassembleSymbol, readElf, SHF, STT } from '../../../../server/out/elf';
import { buildFixtures, Fixtures, run } from './support/fixtures';

let fx: Fixtures;
before(() => {
  fx = buildFixtures();
});

interface ObjdumpLine {
  address: bigint;
  text: string;
  relocations: string[];
}

/** `objdump -d[r] --no-show-raw-insn`, keyed "section:address" (names repeat, and .o sections all start at 0). */
function objdump(file: string, relocations: boolean): Map<string, ObjdumpLine[]> {
  const functions = new Map<string, ObjdumpLine[]>();
  let current: ObjdumpLine[] | undefined;
  let section = '';
  for (const line of run('objdump', [relocations ? '-dr' : '-d', '--no-show-raw-insn', file]).split('\n')) {
    const sectionHead = /^Disassembly of section (.+):$/.exec(line);
    if (sectionHead) section = sectionHead[1];
    const head = /^([0-9a-f]+) <(.+)>:$/.exec(line);
    if (head) {
      current = [];
      functions.set(`${section}:${BigInt(`0x${head[1]}`)}`, current);
      continue;
    }
    const relocation = /^\s+([0-9a-f]+): (R_X86_64_\w+\t.*)$/.exec(line);
    if (relocation && current) current[current.length - 1].relocations.push(`${relocation[1]}: ${relocation[2].trimEnd()}`);
    const insn = /^\s*([0-9a-f]+):\t(.*)$/.exec(line);
    if (insn && current) current.push({ address: BigInt(`0x${insn[1]}`), text: insn[2].trimEnd(), relocations: [] });
  }
  return functions;
}

for (const [label, pick, withRelocations] of [
  ['the linked image, symbolized', (f: Fixtures) => f.image, false],
  ['a relocatable object, with relocations', (f: Fixtures) => f.objectDwarf5, true],
] as const) {
  test(`disassembly of ${label} matches objdump line for line`, () => {
    const file = pick(fx);
    const elf = readElf(file);
    const oracle = objdump(file, withRelocations);
    let checked = 0;
    for (const symbol of elf.symbols()) {
      const section = elf.sections[symbol.shndx];
      if (symbol.type !== STT.FUNC || symbol.size === 0n || !section || !(section.flags & SHF.EXECINSTR)) continue;
      const expected = oracle.get(`${section.name}:${symbol.value}`)?.filter((l) => l.address < symbol.value + symbol.size);
      assert.ok(expected?.length, `objdump shows ${symbol.name}`);
      const ours = disassembleSymbol(elf, symbol);
      assert.deepEqual(
        ours.map((l) => l.address),
        expected.map((l) => l.address),
        `${symbol.name}: instruction boundaries`,
      );
      ours.forEach((line, i) => {
        assert.equal(line.text, expected[i].text, `${symbol.name} at ${line.address.toString(16)}`);
        assert.deepEqual(line.relocations, expected[i].relocations, `${symbol.name} at ${line.address.toString(16)}: relocations`);
      });
      checked += ours.length;
    }
    assert.ok(checked > 50, `only ${checked} instructions compared`);
    elf.close();
  });
}
