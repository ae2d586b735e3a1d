import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { sourceName } from '../../../../server/out/checks/facts/symbolNaming';
import { loadTargetIndex, TargetIndex } from '../../../../server/out/target';
import { fixture, fromRoot } from '../../support/paths';
import { holderOf, NmFunction, nmFunctions } from '../target/support/symbolOracles';

// Optional: the inline map's holders and the sympos of same-named static functions on Debian's
// real vmlinux, against nm (symbols by address) and llvm-dwarfdump --lookup (the DWARF DIEs at
// an address, with their parents). Skipped, and reported as skipped, without either package.
const vmlinux = (JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { vmlinux: string } }).files.vmlinux;
const hasDwarfdump = spawnSync('llvm-dwarfdump', ['--version']).status === 0;
const skip = !existsSync(vmlinux)
  ? `${vmlinux} is not installed (apt-get install linux-image-6.1.0-56-amd64-dbg)`
  : !hasDwarfdump
    ? 'llvm-dwarfdump is not installed (apt-get install llvm)'
    : false;

let index: TargetIndex;
let nm: NmFunction[];

before(async () => {
  if (skip) return;
  index = await loadTargetIndex(vmlinux, { cacheDir: fixture('build', 'vmlinux-index') });
  nm = nmFunctions(vmlinux);
});

/** What llvm-dwarfdump finds at an address: the compile unit's name and the chain of subprogram and inlined names. */
function lookup(address: bigint): { unit: string; outer: string; inlined: string[] } {
  const text = execFileSync('llvm-dwarfdump', [`--lookup=0x${address.toString(16)}`, '--show-parents', vmlinux], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // Each DIE: its tag line, then its attributes; the name is DW_AT_name or the abstract origin's.
  const dies: Array<{ tag: string; name?: string }> = [];
  for (const line of text.split('\n')) {
    const tag = /^0x[0-9a-f]+:\s+(DW_TAG_\w+)/.exec(line);
    if (tag) dies.push({ tag: tag[1] });
    const die = dies[dies.length - 1];
    const name = /^\s+DW_AT_(?:name\t\("([^"]+)"\)|abstract_origin\t\(0x[0-9a-f]+ "([^"]+)"\))/.exec(line);
    if (die && name && die.name === undefined) die.name = name[1] ?? name[2];
  }
  const first = (tag: string) => dies.find((d) => d.tag === tag)?.name ?? '';
  return { unit: first('DW_TAG_compile_unit'), outer: first('DW_TAG_subprogram'), inlined: dies.filter((d) => d.tag === 'DW_TAG_inlined_subroutine').map((d) => d.name ?? '') };
}

test('vmlinux: finish_task_switch is finish_task_switch.isra.0, and what is inlined into it is charged to that symbol', { skip }, () => {
  const expected = nm.filter((f) => sourceName(f.name) === 'finish_task_switch' && f.name !== 'finish_task_switch').map((f) => f.name);
  assert.ok(expected.length > 0 && !nm.some((f) => f.name === 'finish_task_switch'), `nm: ${expected.join(', ')}`);
  assert.deepEqual(
    index.definitions('finish_task_switch').map((d) => d.symbol?.name),
    expected,
  );
  const holders = index.inlinedInto('finish_lock_switch');
  assert.deepEqual(
    holders.map((h) => h.function),
    expected,
  );
  for (const site of holders[0].sites.filter((s) => s.address !== undefined)) {
    assert.equal(holderOf(nm, site.address!)?.name, expected[0]);
    const found = lookup(site.address!);
    assert.equal(found.unit, holders[0].unit);
    assert.equal(found.outer, 'finish_task_switch');
    assert.ok(found.inlined.includes('finish_lock_switch'), found.inlined.join(' > '));
  }
});

test('vmlinux: a sample of copies held by clones: nm holds each address in that clone, DWARF has the callee inlined there, in that unit', { skip }, () => {
  const { inlines, strings, symbols } = index.tables;
  const rows: number[] = [];
  for (let row = 0; row < inlines.callee.length; row++) {
    const symbol = inlines.symbol[row];
    if (symbol !== 0xffffffff && inlines.address[row] !== 0xffffffffffffffffn && /\.(isra|constprop|part|cold)\b/.test(strings[symbols.name[symbol]])) rows.push(row);
  }
  assert.ok(rows.length > 1000, `${rows.length} copies held by clones`);
  const sample = rows.filter((_, n) => n % Math.floor(rows.length / 24) === 0).slice(0, 24);
  let seen = 0;
  for (const row of sample) {
    const address = inlines.address[row];
    const callee = strings[inlines.callee[row]];
    const holder = strings[symbols.name[inlines.symbol[row]]];
    assert.equal(holderOf(nm, address)?.name, holder, `${callee} at 0x${address.toString(16)}`);
    const found = lookup(address);
    // A copy with no code (low_pc == high_pc) holds no address, so --lookup stops at its parent.
    if (found.inlined.includes(callee)) seen++;
    assert.equal(found.unit, strings[index.tables.functions.unit[inlines.func[row]]]);
    assert.equal(found.outer, sourceName(holder), `${holder}: DWARF's outer function is its source name`);
  }
  assert.ok(seen >= sample.length / 2, `llvm-dwarfdump finds ${seen} of the ${sample.length} callees at their address`);
});

test('vmlinux: static functions of one name in several files: each unit gets its own symbol, sympos as nm counts it', { skip }, () => {
  const counts = new Map<string, number>();
  for (const f of nm) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  const shared = [...counts].filter(([name, n]) => n > 1 && !name.includes('.')).map(([name]) => name);
  let checked = 0;
  for (const name of shared.filter((_, n) => n % 25 === 0).slice(0, 12)) {
    const definitions = index.definitions(name).filter((d) => d.symbol?.name === name && d.unit);
    for (const d of definitions) {
      const own = nm.filter((f) => f.name === name && f.address === d.symbol!.address);
      assert.ok(own.length === 1, `${name} at 0x${d.symbol!.address.toString(16)} in nm`);
      assert.equal(d.symbol!.sympos, own[0].sympos, name);
      assert.equal(lookup(d.symbol!.address).unit, d.unit, `${name},${d.symbol!.sympos}`);
      assert.equal(index.definitions(name, d.unit)[0].symbol, d.symbol, `${name} picked by its file ${d.unit}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `${checked} definitions checked`);
});
