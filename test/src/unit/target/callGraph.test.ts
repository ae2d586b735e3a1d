import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildTargetIndexData, TargetIndex } from '../../../../server/out/target';
import { lastAtOrBelow } from '../../../../server/out/target/sortedSearch';
import { assemble, buildDir } from '../payload/build';
import { fromRoot } from '../../support/paths';
import { buildSamples, run, targetPath } from '../samples/binutils';

// The direct call graph read from the target's text (target/callGraphColumns.ts), judged by
// objdump: every call, jmp and jcc whose target is the start of a function, from the function
// whose [start, start+size) holds it (nm -S), to that function, aliases as the first at its address.

const xenSyms = (JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } }).files.xenSyms;
const noXen = existsSync(xenSyms) ? false : `${xenSyms} is not installed: run \`node scripts/xen-artifacts.mjs --install\``;

let sample: TargetIndex;

before(async () => {
  buildSamples();
  sample = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
});

/** `caller>callee` by addresses, from objdump -d and nm -S of the image. */
function objdumpEdges(image: string): Set<string> {
  const functions = run('nm', ['-S', '--defined-only', image])
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) [tTwW] /.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2]}`) }))
    .filter((f) => f.size > 0n)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const starts = new Set(functions.map((f) => f.start));
  const sorted = functions.map((f) => f.start);
  const holder = (at: bigint) => {
    let found = lastAtOrBelow(sorted, at);
    // Aliases: the first of the functions at the holder's address.
    while (found > 0 && functions[found - 1].start === functions[found].start) found--;
    return found >= 0 && at < functions[found].start + functions[found].size ? functions[found].start : undefined;
  };
  const edges = new Set<string>();
  const listing = run('objdump', ['-d', '--no-show-raw-insn', image]);
  for (const m of listing.matchAll(/^ *([0-9a-f]+):\t(?:bnd |notrack )?(?:call|j[a-z]+)\s+([0-9a-f]+) <[^>+]+>$/gm)) {
    const at = BigInt(`0x${m[1]}`);
    const target = BigInt(`0x${m[2]}`);
    const caller = holder(at);
    if (caller === undefined || !starts.has(target) || target === caller) continue;
    edges.add(`${caller.toString(16)}>${target.toString(16)}`);
  }
  return edges;
}

function indexEdges(index: TargetIndex): Set<string> {
  const { calls, symbols } = index.tables;
  return new Set(Array.from(calls.caller, (caller, row) => `${symbols.address[caller].toString(16)}>${symbols.address[calls.callee[row]].toString(16)}`));
}

test("the sample target's call graph is objdump's direct calls and jumps between functions", () => {
  const expected = objdumpEdges(targetPath);
  assert.ok(expected.size > 20, `objdump found only ${expected.size} calls`);
  assert.deepEqual([...indexEdges(sample)].sort(), [...expected].sort());
});

test('callPath: the shortest chain from the entries, entry first; none when no entry reaches it or the image names no entry', () => {
  const banner = sample.symbol('xen_build_info')!;
  assert.deepEqual(
    sample.callPath(['do_machine_check'], banner)?.map((s) => s.name),
    ['do_machine_check', 'xen_build_info'],
  );
  // The listing shows the same call.
  assert.match(run('objdump', ['-d', '--no-show-raw-insn', '--disassemble=do_machine_check', targetPath]), /call\s+[0-9a-f]+ <xen_build_info>/);
  assert.deepEqual(
    sample.callPath(['xen_build_info'], banner)?.map((s) => s.name),
    ['xen_build_info'],
  );
  assert.equal(sample.callPath(['do_machine_check'], sample.symbol('xen_extra_version')!), undefined);
  assert.equal(sample.callPath(['no_such_entry'], banner), undefined);
  assert.ok(sample.callees(sample.symbol('do_machine_check')!).some((s) => s.name === 'xen_build_info'));
});

test('a tail jump is an edge, a jump inside the function is not, a call through a register names no callee', async () => {
  const image = path.join(buildDir, 'call-graph-target');
  const source = `
  .text
  .globl entry, middle, leaf, pointer
  .type entry,@function
entry: call middle
  jmp 1f
1: call *%rax
  ret
  .size entry, .-entry
  .type middle,@function
middle: jmp leaf
  .size middle, .-middle
  .type leaf,@function
leaf: ret
  .size leaf, .-leaf
  .type pointer,@function
pointer: ret
  .size pointer, .-pointer
`;
  run('ld', ['--build-id=sha1', '-e', 'entry', '-Ttext=0xffffffff81000000', '-o', image, assemble('call-graph', source)]);
  const index = new TargetIndex(await buildTargetIndexData(image, { dwarfWorkers: 1 }));
  const named = (name: string) => index.symbol(name)!;
  assert.deepEqual(
    index.callees(named('entry')).map((s) => s.name),
    ['middle'],
  );
  assert.deepEqual(
    index.callPath(['entry'], named('leaf'))?.map((s) => s.name),
    ['entry', 'middle', 'leaf'],
  );
  assert.equal(index.callPath(['entry'], named('pointer')), undefined);
  assert.deepEqual([...indexEdges(index)].sort(), [...objdumpEdges(image)].sort());
});

test("Debian's xen-syms: the call graph is objdump's, and built in well under a second", { skip: noXen }, async () => {
  const started = process.cpuUsage();
  const index = new TargetIndex(await buildTargetIndexData(xenSyms, { dwarfWorkers: 1 }));
  const used = process.cpuUsage(started);
  assert.ok((used.user + used.system) / 1000 < 10_000, 'the whole index took over 10 s of CPU');
  const expected = objdumpEdges(xenSyms);
  assert.ok(expected.size > 5000, `objdump found only ${expected.size} calls`);
  assert.deepEqual([...indexEdges(index)].sort(), [...expected].sort());
  const memcpy = index.symbol('memcpy')!;
  assert.deepEqual(
    index.callPath(['arch_livepatch_apply'], memcpy)?.map((s) => s.name),
    ['arch_livepatch_apply', 'memcpy'],
  );
});
