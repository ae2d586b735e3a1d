import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkSeed, expectedResults, patchProperties, replayLine, runSeed } from '../../../../../server/out/emulator/smp/property';
import type { PatchProperty } from '../../../../../server/out/emulator/smp/property';
import { fromRoot } from '../../../support/paths';
import { buildSamples, samplePayload, targetPath } from '../xen/support/xenPayloads';

// The property run of issue 17 (bench/smpProperty.bench.mjs runs 10,000 seeds a property), a
// few hundred seeds here; the naive protocol breaks it and the line it prints replays the tear;
// a seed replayed by the CLI in a fresh process (nothing compiled, nothing remembered) prints
// exactly what the same seed printed here, after hundreds of machines shared their caches.

buildSamples();

const files = { target: targetPath, payload: samplePayload('xen_hello_world') };
const SEEDS = 300;

interface Printed {
  stdout: string;
  stderr: string;
  exitCode: number;
  log: string[];
}

/** `livepatch-lens emu ... --json` in a process of its own: one JSON line a command (Xen's log is its console). */
function freshProcess(line: string): Printed[] {
  const args = line.split(' ').slice(2);
  const run = spawnSync(process.execPath, [fromRoot('server', 'out', 'cli.js'), 'emu', '--json', ...args], { encoding: 'utf8' });
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Printed & { console: string[] })
    .map((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, log: r.console }));
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
