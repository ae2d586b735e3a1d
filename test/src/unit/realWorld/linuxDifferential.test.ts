import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { findLinuxPieces } from '../../../../server/out/machines/hostPieces';
import { commandsOf, parseScript } from '../../../../server/out/scenario/parse';
import { kbuildSamples } from '../../support/kbuildSamples';
import { fromRoot } from '../../support/paths';
import { hostPieces } from '../machines/hostSkip';
import { compareRuns } from './linuxDifferential/compare';
import { MachineRun, runScenarioCli } from './linuxDifferential/machines';
import { normaliseRun } from './linuxDifferential/normalise';

// The real kernel is the oracle (issue 10 §5, issue 11's Linux differential): the kernel's seven
// samples/livepatch modules, built by kbuild against Debian's headers, run through the same
// scenario on the emulator (the sample target) and on Debian's 6.1 kernel in QEMU, one boot per
// scenario; per command, exit status, stdout, stderr and the normalised kernel log must be equal.

const host = hostPieces(() => findLinuxPieces(), 'real Linux machine');
const samples = kbuildSamples();
const skip = host.skip ?? (samples.skip || undefined);
const scenarios = fromRoot('test', 'fixtures', 'differential', 'linux');

/** Every module of the seven is loaded by some scenario: none is left unjudged. */
const covers = {
  'livepatch-sample': ['livepatch-sample'],
  callbacks: ['livepatch-callbacks-demo', 'livepatch-callbacks-mod', 'livepatch-callbacks-busymod'],
  shadow: ['livepatch-shadow-mod', 'livepatch-shadow-fix1', 'livepatch-shadow-fix2'],
};

test('the scenarios load every module the kbuild script builds', { skip: samples.skip || undefined }, () => {
  assert.deepEqual(Object.values(covers).flat().sort(), Object.keys(samples.samples!.modules).sort());
});

for (const [name, modules] of Object.entries(covers)) {
  test(`${name}.scn (${modules.join(', ')}): the emulator and the real kernel agree, command by command`, { skip, timeout: 120_000 }, async (t) => {
    const file = path.join(scenarios, `${name}.scn`);
    const commands = commandsOf(parseScript(readFileSync(file, 'utf8'), file));
    for (const module of modules)
      assert.ok(
        commands.some((c) => c.argv[0] === 'insmod' && c.argv[1] === `${module}.ko`),
        `${name}.scn loads ${module}`,
      );
    const dir = samples.samples!.dir;
    const [emulator, real] = [await runScenarioCli('emu', file, dir), await runScenarioCli('vm', file, dir)];
    // The machine's own command line: what the first `cat /proc/cmdline` printed, before any patch.
    const first = commands.findIndex((c) => c.text === 'cat /proc/cmdline');
    const own = (run: MachineRun) => (first >= 0 ? run.results[first]?.stdout.trimEnd() : undefined);
    const verdicts = compareRuns(commands, normaliseRun(emulator.results, own(emulator)), normaliseRun(real.results, own(real)));
    t.diagnostic(real.stderr.split('\n')[0]);
    for (const v of verdicts) t.diagnostic(`${v.differences.length ? 'DIFFERS' : 'equal  '} ${v.command}${v.differences.map((d) => `\n          ${d}`).join('')}`);
    assert.deepEqual(
      verdicts.filter((v) => v.differences.length),
      [],
      `the emulator's stderr:\n${emulator.stderr}\nthe real machine's:\n${real.stderr}`,
    );
  });
}
