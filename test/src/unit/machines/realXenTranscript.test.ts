import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { fixture, fromRoot } from '../../support/paths';
import { runScenarioCli } from '../realWorld/linuxDifferential/machines';
import { hostPieces } from './hostSkip';

// Issue 11 §2: the seeds' transcript on real Xen, then the same script on the emulator.
const scenario = fixture('differential', 'xen', 'hello-world.scn');
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { packages: Record<string, string>; files: { xenSyms: string } };
const realPayloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(artifacts.files.xenSyms));
const bundledPayloads = fromRoot('samples', 'build', 'payloads', 'xen');

/** Debian builds Xen with XEN_EXTRAVERSION `.PATCH` of its upstream version: `.7` of 4.17.7+13-g2445b30a44-0+deb12u1. */
const packagedExtra = (() => {
  const name = Object.keys(artifacts.packages).find((p) => /^xen-hypervisor-[\d.]+-amd64$/.test(p));
  const patch = name ? /^\d+\.\d+(\.\d+)/.exec(artifacts.packages[name])?.[1] : undefined;
  if (!patch) throw new Error('scripts/debian-artifacts.json names no xen-hypervisor-X.Y-amd64 package with an X.Y.Z version');
  return patch;
})();

const host = hostPieces(() => findXenPieces(), 'real Xen');
const skip =
  host.skip ??
  (existsSync(path.join(realPayloads, 'xen_hello_world.livepatch'))
    ? undefined
    : `no real Xen payloads in ${realPayloads} (install xen-hypervisor-4.17-amd64-dbg, npm run samples)`);

/** Per command of the scenario, in order: its exit status, its stdout (exact, or a pattern) and the (XEN) lines that must be among its log, in order. */
const transcript = (extra: string): [number, string | RegExp, string[]][] => [
  [0, `${extra}\n`, []],
  [
    0,
    /^Uploading \S*xen_hello_world\.livepatch\.\.\. completed\nApplying xen_hello_world\.\.\. completed\n$/,
    ['xen_hello_world: Applying 1 functions', 'hi_func: Hi! (called 1 times)', 'xen_hello_world finished APPLY with rc=0'],
  ],
  [0, 'Hello World\n', []],
  [0, 'Reverting xen_hello_world... completed\n', ['xen_hello_world: Reverting', 'bye_func: Bye!', 'xen_hello_world finished REVERT with rc=0']],
  [0, 'Unloading xen_hello_world... completed\n', []],
  [0, `${extra}\n`, []],
  [0, /Applying xen_hello_world\.\.\. completed\n$/, ['xen_hello_world: Applying 1 functions', 'xen_hello_world finished APPLY with rc=0']],
  [0, /Applying xen_bye_world\.\.\. completed\n$/, ['xen_bye_world: Applying 1 functions', 'xen_bye_world finished APPLY with rc=0']],
  [0, 'Bye World!\n', []],
  [2, 'Reverting xen_hello_world... failed\n', ["xen_hello_world: can't unload. Top is xen_bye_world"]],
  [0, /^Uploading \S*xen_replace_world\.livepatch\.\.\. completed\n$/, []],
  [
    0,
    'Replacing all live patches with xen_replace_world... completed\n',
    ['xen_bye_world: Reverting', 'xen_hello_world: Reverting', 'xen_replace_world: Applying 1 functions', 'xen_replace_world finished REPLACE with rc=0'],
  ],
  [0, 'Hello Again Xen\n', []],
  [0, /xen_hello_world +\| CHECKED .*\nxen_bye_world +\| CHECKED .*\nxen_replace_world +\| APPLIED /, []],
  [0, 'Reverting xen_replace_world... completed\n', ['xen_replace_world finished REVERT with rc=0']],
  [0, 'Unloading xen_replace_world... completed\n', []],
  [0, 'Unloading xen_bye_world... completed\n', []],
  [0, 'Unloading xen_hello_world... completed\n', []],
  [0, `${extra}\n`, []],
];

function assertTranscript(results: CommandResult[], extra: string, stderr: string): void {
  const expected = transcript(extra);
  assert.equal(results.length, expected.length, `ran ${results.length} of ${expected.length} commands; the CLI said: ${stderr}`);
  results.forEach((result, i) => {
    const [exitCode, stdout, lines] = expected[i];
    const what = `command ${i + 1}, ${result.command}`;
    assert.equal(result.exitCode, exitCode, `${what}: exit status (stderr: ${result.stderr})`);
    if (typeof stdout === 'string') assert.equal(result.stdout, stdout, what);
    else assert.match(result.stdout, stdout, what);
    let from = 0;
    for (const line of lines) {
      const at = result.log.findIndex((l, j) => j >= from && (l === `(XEN) livepatch: ${line}` || l === `(XEN) ${line}`));
      assert.ok(at >= 0, `${what}: no '${line}' (in order) among its (XEN) lines:\n${result.log.join('\n')}`);
      from = at + 1;
    }
  });
  assert.match(results[9].stderr, /^Error 16: Device or resource busy$/m, 'the refused revert: EBUSY');
}

/** What differs by design between the emulator and the real run: the payload's guest path, and the unpatched extra version (the sample target's own, not Debian's). */
function normalised(results: CommandResult[]): CommandResult[] {
  const extra = results[0].stdout;
  return results.map((r) => ({ ...r, stdout: (r.stdout === extra ? '<extra>\n' : r.stdout).replaceAll('/modules/', '') }));
}

test(
  "the seeds' transcript on real Xen in QEMU: hello world, revert, unload, bye world stacked, EBUSY, REPLACE; then the emulator, line for line",
  { skip, timeout: 240_000 },
  async (t) => {
    const started = performance.now();
    const real = await runScenarioCli('vm', scenario, realPayloads, 'xen');
    t.diagnostic(`real Xen: ${((performance.now() - started) / 1000).toFixed(1)} s, boot included; ${real.stderr.trim()}`);

    await t.test(`real Xen: each command's status, stdout and (XEN) lines; the extra version is Debian's ${packagedExtra}`, () => {
      assertTranscript(real.results, packagedExtra, real.stderr);
    });

    await t.test(
      'the emulator on the bundled sample target and payloads: the same transcript, normalised (payload paths; the unpatched extra version differs by design)',
      { skip: existsSync(path.join(bundledPayloads, 'xen_hello_world.livepatch')) ? undefined : `${bundledPayloads} is not built (npm run samples)` },
      async () => {
        const emulated = await runScenarioCli('emu', scenario, bundledPayloads, 'xen');
        const extra = emulated.results[0]?.stdout.trim() ?? '';
        assert.notEqual(extra, packagedExtra, "the sample target's extra version is its own, not Debian's");
        assertTranscript(emulated.results, extra, emulated.stderr);
        assert.deepEqual(normalised(emulated.results), normalised(real.results));
      },
    );

    await t.test(
      "the emulator on Debian's own xen-syms and the same payloads (issue 18): the same transcript, every command's (XEN) lines included, the hooks' printed by the image's real printk",
      async () => {
        const emulated = await runScenarioCli('emu', scenario, realPayloads, 'xen', artifacts.files.xenSyms);
        assertTranscript(emulated.results, packagedExtra, emulated.stderr);
        assert.deepEqual(normalised(emulated.results), normalised(real.results));
      },
    );
  },
);
