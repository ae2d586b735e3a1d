import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkSeed, expectedResults, ftraceProperty, ftraceScenario, patchProperties, replayLine, runSeed } from '../../../../../server/out/emulator/smp/property';
import type { PatchProperty } from '../../../../../server/out/emulator/smp/property';
import { fromRoot } from '../../../support/paths';
import { buildSamples, nmSymbol, objdumpBytes, samplePayload, targetPath } from '../xen/support/xenPayloads';

// The property run of issue 17 (bench/smpProperty.bench.mjs runs 10,000 seeds a property), a
// few hundred seeds here; the naive protocol breaks it and the line it prints replays the tear;
// a seed replayed by the CLI in a fresh process (nothing compiled, nothing remembered) prints
// exactly what the same seed printed here, after hundreds of machines shared their caches.
// The same property holds for ftrace's NOP-to-call switch that a klp module's init starts from
// inside klp_enable_patch() (a native), and the naive protocol breaks it there too.

buildSamples();

const files = { target: targetPath, payload: samplePayload('xen_hello_world') };
const SEEDS = 300;

interface Printed {
  stdout: string;
  stderr: string;
  exitCode: number;
  log: string[];
}

/** `livepatch-lens emu ... --json` in a process of its own: one JSON line a command (Xen's log is its console, Linux's its log). */
function freshProcess(line: string): Printed[] {
  const args = line.split(' ').slice(2);
  const run = spawnSync(process.execPath, [fromRoot('server', 'out', 'cli.js'), 'emu', '--json', ...args], { encoding: 'utf8' });
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Printed & { console?: string[] })
    .map((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, log: r.console ?? r.log }));
}

test("the expected results are the C sources' strings", () => {
  const expected = expectedResults(files);
  const version = readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8');
  const func = readFileSync(fromRoot('samples', 'payloads', 'xen', 'xen_hello_world_func.c'), 'utf8');
  assert.equal(expected.old, /#define XEN_EXTRAVERSION "([^"]*)"/.exec(version)![1]);
  assert.equal(expected.new, /return "([^"]*)";/.exec(func)![1]);
});

for (const property of patchProperties) {
  test(`property ${property.name} (${property.what}) holds over ${SEEDS} seeds`, () => {
    const expected = expectedResults(files);
    for (let seed = 1; seed <= SEEDS; seed++) assert.equal(checkSeed(property, files, expected, seed), undefined);
  });

  test(`property ${property.name}: a seed replayed by the CLI in a fresh process prints what it printed here`, () => {
    for (const seed of [1, 77, SEEDS]) {
      const here = runSeed(property, files, seed).results.map((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, log: r.log }));
      const fresh = freshProcess(replayLine(property, files, seed));
      assert.deepEqual(fresh, here, `seed ${seed}`);
      assert.ok(here.some((r) => r.stdout.includes(`(seed ${seed})`)));
    }
  });
}

test('the naive protocol breaks the property: the failure names the seed and replays the same tear', () => {
  const naive: PatchProperty = { ...patchProperties[0], name: 'naive', poke: 'naive' };
  const expected = expectedResults(files);
  let failure: string | undefined;
  let seed = 0;
  while (!failure && seed < 50) failure = checkSeed(naive, files, expected, ++seed);
  assert.ok(failure, 'no seed of 1..50 broke the property under the naive protocol');
  assert.match(failure, new RegExp(`^naive: seed ${seed}: the write tore: .*seed ${seed}$`, 'm'));
  const replay = /^ {2}replay: (.*)$/m.exec(failure)![1];
  assert.equal(replay, replayLine(naive, files, seed));
  const tornLine = /the write tore: (.*)$/m.exec(failure)![1];
  const fresh = freshProcess(replay);
  assert.ok(
    fresh.some((r) => r.exitCode === 1 && r.stderr.split('\n').includes(tornLine)),
    JSON.stringify(fresh),
  );
});

const klpFiles = { target: targetPath, payload: fromRoot('samples', 'build', 'payloads', 'klp', 'lp-minor1.ko') };
/** arch/x86/include/asm/nops.h BYTES_NOP5: what ftrace leaves at an untraced __fentry__ site. */
const NOP5 = '0f 1f 44 00 00';

test("ftrace: the expected results are the C sources' values, and the patched function's __fentry__ call is its first instruction", () => {
  const expected = expectedResults(klpFiles, ftraceScenario);
  const version = readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8');
  const module = readFileSync(fromRoot('samples', 'payloads', 'klp', 'lp-minor1.c'), 'utf8');
  assert.equal(expected.old, `0x${Number(/#define XEN_SUBVERSION (\d+)/.exec(version)![1]).toString(16)}`);
  assert.equal(expected.new, `0x${Number(/return (\d+);/.exec(module)![1]).toString(16)}`);
  assert.equal(objdumpBytes(ftraceScenario.function, 1)[0], 0xe8, 'not a call __fentry__ at the entry');
});

test(`property ${ftraceProperty.name} (${ftraceProperty.what}) holds over ${SEEDS} seeds, and the other CPUs hit the int3 during insmod`, () => {
  const expected = expectedResults(klpFiles, ftraceScenario);
  let hitSeeds = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const run = runSeed(ftraceProperty, klpFiles, seed);
    assert.equal(checkSeed(ftraceProperty, klpFiles, expected, seed, run), undefined);
    if (run.trapHitsDuringLoad > 0) hitSeeds++;
  }
  // The switch is three syncs long: a CPU looping through the site lands in the int3 window in many seeds.
  assert.ok(hitSeeds >= SEEDS / 10, `only ${hitSeeds} of ${SEEDS} seeds hit text_poke_bp's int3 during insmod`);
});

test('ftrace under the naive protocol: some seed tears during insmod, and the fault names CPU, address, bytes, protocol and seed', () => {
  const naive: PatchProperty = { ...ftraceProperty, name: 'ftrace-naive', poke: 'naive', nmiRate: 0 };
  const expected = expectedResults(klpFiles, ftraceScenario);
  let failure: string | undefined;
  let seed = 0;
  while (!failure && seed < 50) failure = checkSeed(naive, klpFiles, expected, ++seed);
  assert.ok(failure, 'no seed of 1..50 tore under the naive protocol');
  const insmod = runSeed(naive, klpFiles, seed).results[naive.cpus - 1];
  assert.equal(insmod.command, `insmod ${klpFiles.payload}`);
  const site = nmSymbol(ftraceScenario.function).address;
  const torn = new RegExp(
    `^CPU([12]): guest fault \\(torn-write\\) at ${ftraceScenario.function}: CPU\\1 fetched a half-written instruction at ${ftraceScenario.function} \\(0x${site.toString(16)}\\): ` +
      `it decoded ((?:[0-9a-f]{2} ?){5}) \\(.*\\) while the naive protocol was writing (e8(?: [0-9a-f]{2}){4}) over ${NOP5} at ${ftraceScenario.function}, ([1-4]) of 5 bytes written; seed ${seed}$`,
    'm',
  );
  const [, , decoded, writing, written] = torn.exec(insmod.stderr) ?? assert.fail(insmod.stderr);
  // What a fetch meets half way: the bytes written so far, then the NOP's.
  const k = Number(written);
  assert.equal(decoded, [...writing.split(' ').slice(0, k), ...NOP5.split(' ').slice(k)].join(' '));
  const replay = /^ {2}replay: (.*)$/m.exec(failure)![1];
  const fresh = freshProcess(replay);
  assert.equal(fresh[naive.cpus - 1].stderr, insmod.stderr);
});
