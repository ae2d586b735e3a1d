import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { analyzePayloadFile } from '../../../../server/out/checks/payload';
import type { XenRefusal } from '../../../../server/out/checks/payload/context';
import type { Finding } from '../../../../server/out/checks/finding';
import { errno } from '../../../../server/out/emulator/errno';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { xenArgv, xenProfile } from '../../../../server/out/machines/xenProfile';
import type { ScenarioCommand } from '../../../../server/out/scenario/command';
import { commandsOf, parseScript } from '../../../../server/out/scenario/parse';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { loadTargetIndex } from '../../../../server/out/target';
import { fixture, fromRoot } from '../../support/paths';
import { runScenarioCli } from '../realWorld/linuxDifferential/machines';
import { command } from './commands';
import { hostPieces } from './hostSkip';
import type { BootedFiles } from '../../../../server/out/scenario/compareRuns';
import { differences, Difference, differenceKey, listedRows } from './xenDifferences';
import { agreementTable, UploadVerdict } from './xenAgreement';
import { xenMutations } from './xenMutations';

// Issue 11, "the emulator judged by the real thing", for Xen, in one boot of Debian's Xen:
// A. samples/demo.xlp and the state-table and build-id-stack scenarios, on real Xen (its own
//    payloads) and on the emulator (the sample target, the bundled payloads): equal once
//    normalised, but for the differences docs/machines.md lists with their reasons.
// B. one mutation of a real payload per upload check, uploaded to the real loader: it refuses
//    exactly what the analyzer (checked against the same xen-syms) refuses, with its errno.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const realPayloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const bundledPayloads = fromRoot('samples', 'build', 'payloads', 'xen');

const host = hostPieces(() => findXenPieces(), 'real Xen');
const skip =
  host.skip ??
  (['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop'].every((p) => existsSync(path.join(realPayloads, `${p}.livepatch`)))
    ? existsSync(path.join(bundledPayloads, 'xen_nop.livepatch'))
      ? undefined
      : `${bundledPayloads} is not built (npm run samples)`
    : `no real Xen payloads in ${realPayloads} (install xen-hypervisor-4.17-amd64-dbg, npm run samples)`);

/**
 * samples/demo.xlp with the emulator's own commands as dom0 says them: `call xen_X_version` is
 * what /sys/hypervisor/version/X shows (the same hypercalls), `dump` (debug key 'x') has no
 * dom0 counterpart, and the payloads are those of the folder the scenario runs from.
 */
export function demoForRealXen(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^dump\s*$/.test(line))
    .map((line) => line.replace(/^call xen_(extra|major|minor)_version\s*$/, 'cat /sys/hypervisor/version/$1').replaceAll('build/payloads/xen/', ''))
    .join('\n');
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'll-xen-differential-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of one build's payloads, plus other_xen.livepatch: its hello world with the hypervisor build-id it names changed. */
function payloadFolder(name: string, payloads: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  for (const p of ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop']) symlinkSync(path.join(payloads, `${p}.livepatch`), path.join(dir, `${p}.livepatch`));
  writeFileSync(
    path.join(dir, 'other_xen.livepatch'),
    xenMutations.find((m) => m.check === 'LP325')!.mutate(Buffer.from(readFileSync(path.join(payloads, 'xen_hello_world.livepatch')))),
  );
  return dir;
}

const scenarioFiles = (): { name: string; file: string }[] => {
  const demo = path.join(scratch, 'demo.scn');
  writeFileSync(demo, demoForRealXen(readFileSync(fromRoot('samples', 'demo.xlp'), 'utf8')));
  return [
    { name: 'demo.xlp', file: demo },
    { name: 'state-table.scn', file: fixture('differential', 'xen', 'state-table.scn') },
    { name: 'build-id-stack.scn', file: fixture('differential', 'xen', 'build-id-stack.scn') },
  ];
};

const versionCommands = ['major', 'minor', 'extra'].map((f) => command('cat', `/sys/hypervisor/version/${f}`));
/** The version the hypervisor was built as, read before any payload: Debian's 4.17 `.7`, the sample target's own. */
const versionOf = (results: CommandResult[]): BootedFiles => Object.fromEntries(results.map((r, i) => [versionCommands[i].argv[1], r.stdout]));
const machinesDoc = (): string => readFileSync(fromRoot('docs', 'machines.md'), 'utf8');
export const scenarioDifferencesHeading = '### Differences the Xen differential allows';
export const uploadDifferencesHeading = '### Upload checks where the real loader and the analyzer disagree';

const refusalOf = (f: Finding): XenRefusal | undefined => ((f.data as XenRefusal | undefined)?.errno ? (f.data as XenRefusal) : undefined);
const errnoNumber = (f: Finding): number | undefined => {
  const name = refusalOf(f)?.errno;
  return name && errno(name);
};

const errnoOf = (stderr: string): number | undefined => {
  const m = /^Error (\d+): /m.exec(stderr);
  return m ? Number(m[1]) : undefined;
};

test('the Xen differential and the upload checks against the real loader, in one boot of real Xen in QEMU', { skip, timeout: 420_000 }, async (t) => {
  const scenarios = scenarioFiles();
  const realDir = payloadFolder('real', realPayloads);
  const emulatedDir = payloadFolder('emulated', bundledPayloads);
  const scripts = scenarios.map((s) => ({ ...s, commands: commandsOf(parseScript(readFileSync(s.file, 'utf8'), s.file)) }));

  // B's payloads: each mutation of a real payload, and what the analyzer says of it against the same xen-syms.
  const target = await loadTargetIndex(xenSyms, { cacheDir: null, inWorker: false });
  const mutated = xenMutations.map((m, i) => {
    const file = path.join(realDir, `m${i}_${m.check.toLowerCase()}.livepatch`);
    writeFileSync(file, m.mutate(Buffer.from(readFileSync(path.join(realPayloads, `${m.base}.livepatch`)))));
    const refusals = analyzePayloadFile(file, { target }).findings.filter((f) => f.severity === 'error' && refusalOf(f));
    const atUpload = refusals.filter((f) => refusalOf(f)!.stage !== 'apply');
    return { mutation: m, file, name: `m${i}`, first: atUpload[0], own: atUpload.find((f) => f.code === m.check), atApply: refusals.find((f) => refusalOf(f)!.stage === 'apply') };
  });

  const files = new GuestFiles(realDir);
  const uploads = mutated.map((m) => command('upload', m.name, path.basename(m.file)));
  files.addNamedBy([...scripts.flatMap((s) => s.commands), ...uploads].map((c) => ({ argv: xenArgv(c.argv) })));
  const started = performance.now();
  const machine = await QemuMachine.boot(xenProfile(host.found!, files), { bootTimeoutMs: 180_000 });
  const real = new Map<string, CommandResult[]>();
  const verdicts: UploadVerdict[] = [];
  let realBooted: BootedFiles;
  try {
    t.diagnostic(`booted ${machine.profile.booted} with ${machine.accel} in ${(machine.bootMs / 1000).toFixed(1)} s`);
    const version: CommandResult[] = [];
    for (const c of versionCommands) version.push(await machine.run(c, 60_000));
    realBooted = versionOf(version);
    for (const s of scripts) {
      const results: CommandResult[] = [];
      for (const c of s.commands) results.push(await machine.run(c, 60_000));
      real.set(s.name, results);
    }
    // Last, as a wild pointer the real loader follows could take the hypervisor down with it.
    for (const [i, m] of mutated.entries()) {
      const upload = await machine.run(uploads[i], 60_000);
      // Applied only when the analyzer says the apply fails: a payload it refuses for a wild pointer is never run.
      const apply = upload.exitCode === 0 && m.atApply ? await machine.run(command('apply', m.name), 60_000) : undefined;
      verdicts.push({
        check: m.mutation.check,
        what: m.mutation.what,
        analyzer: m.first ? { check: m.first.code, errno: errnoNumber(m.first)!, ownErrno: m.own && errnoNumber(m.own) } : undefined,
        ...(m.atApply ? { analyzerAtApply: { check: m.atApply.code, errno: errnoNumber(m.atApply)! } } : {}),
        real: { exitCode: upload.exitCode, errno: errnoOf(upload.stderr), log: upload.log },
        ...(apply ? { realApply: { exitCode: apply.exitCode, errno: errnoOf(apply.stderr), log: apply.log } } : {}),
      });
      if (apply?.exitCode === 0) await machine.run(command('revert', m.name), 60_000);
      if (upload.exitCode === 0) assert.equal((await machine.run(command('unload', m.name), 60_000)).exitCode, 0, `unload ${m.name} after its upload`);
    }
  } finally {
    await machine.close();
  }
  t.diagnostic(
    `real Xen: ${((performance.now() - started) / 1000).toFixed(1)} s for ${[...real.values()].flat().length} scenario commands and ${uploads.length} uploads, boot included`,
  );

  await t.test("A: each scenario's expectations hold on real Xen (xen-livepatch's exit statuses)", () => {
    for (const s of scripts)
      s.commands.forEach((c: ScenarioCommand, i: number) => {
        const r = real.get(s.name)![i];
        assert.equal(
          r.exitCode,
          c.expect,
          `${s.name}: ${c.text}: exit ${r.exitCode} (stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}, ${r.log.join(' | ')})`,
        );
      });
  });

  await t.test('A: the emulator on the sample target gives the same transcript, but for the differences docs/machines.md lists', async () => {
    const versions = path.join(scratch, 'versions.scn');
    writeFileSync(versions, versionCommands.map((c) => c.text).join('\n'));
    const emulatedBooted = versionOf((await runScenarioCli('emu', versions, emulatedDir, 'xen')).results);
    const found: Difference[] = [];
    for (const s of scripts) {
      const emulated = await runScenarioCli('emu', s.file, emulatedDir, 'xen');
      assert.equal(emulated.results.length, s.commands.length, `${s.name}: the emulator ran ${emulated.results.length} of ${s.commands.length} commands: ${emulated.stderr}`);
      found.push(...differences(s.name, real.get(s.name)!, emulated.results, { real: realBooted, emulated: emulatedBooted }));
    }
    if (process.env.LL_XEN_DIFFERENCES) writeFileSync(process.env.LL_XEN_DIFFERENCES, JSON.stringify(found, null, 1));
    const allowed = listedRows(machinesDoc(), scenarioDifferencesHeading);
    const unlisted = found.filter((d) => !allowed.has(differenceKey(d)));
    const stale = [...allowed.keys()].filter((k) => !found.some((d) => differenceKey(d) === k));
    assert.deepEqual(unlisted, [], 'differences docs/machines.md does not list (fix the emulator, or list them with the reason)');
    assert.deepEqual(stale, [], 'differences docs/machines.md lists that no longer happen');
  });

  await t.test('B: the real loader refuses exactly the mutated payloads the analyzer refuses, with the errno the check names', (s) => {
    const table = agreementTable(verdicts);
    s.diagnostic(`\n${table.text}`);
    if (process.env.LL_XEN_AGREEMENT_TABLE) writeFileSync(process.env.LL_XEN_AGREEMENT_TABLE, table.text);
    const allowed = listedRows(machinesDoc(), uploadDifferencesHeading);
    const unlisted = table.disagreements.filter((d) => !allowed.has(d));
    const stale = [...allowed.keys()].filter((k) => !table.disagreements.includes(k));
    assert.deepEqual(unlisted, [], 'disagreements docs/machines.md does not list');
    assert.deepEqual(stale, [], 'disagreements docs/machines.md lists that no longer happen');
  });
});
