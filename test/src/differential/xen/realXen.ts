import * as path from 'node:path';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import type { XenPieces } from '../../../../server/out/machines/xenPieces';
import { xenProfile } from '../../../../server/out/machines/xenProfile';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { command } from '../../unit/machines/commands';
import type { RealRun } from '../core/loader';
import type { Variant, Verdict } from '../core/variant';
import { toolVerdict, uploadName } from './verdicts';

const timeoutMs = 60_000;

/**
 * Every variant uploaded to Debian's Xen in one boot (dom0's xen-livepatch, as
 * realXenDifferential does), unloaded again when accepted; those `applies` names are applied
 * first (and reverted). A variant that takes the hypervisor down is `crashed`, and the run goes on
 * in a new boot from the next one.
 */
export async function runRealXen(
  pieces: XenPieces,
  dir: string,
  variants: readonly Variant[],
  applies: (v: Variant) => boolean,
  progress: (line: string) => void,
): Promise<RealRun> {
  const files = new GuestFiles(dir);
  const uploads = variants.map((v) => command('upload', uploadName(v.id), `${uploadName(v.id)}.livepatch`));
  files.addNamedBy(uploads.map((c) => ({ argv: ['xen-livepatch', ...c.argv] })));
  const started = performance.now();
  const verdicts = new Map<string, Verdict>();
  const versions: Record<string, string> = {};
  let boots = 0;
  let next = 0;
  while (next < variants.length) {
    const machine = await QemuMachine.boot(xenProfile(pieces, files), { bootTimeoutMs: 180_000 });
    boots++;
    try {
      if (boots === 1) Object.assign(versions, await machineVersions(machine));
      progress(`booted ${path.basename(pieces.xen)} (${machine.accel}) in ${(machine.bootMs / 1000).toFixed(1)} s; variants ${next}..${variants.length - 1}`);
      for (; next < variants.length; next++) {
        const v = variants[next];
        const name = uploadName(v.id);
        const upload = await machine.run(uploads[next], timeoutMs);
        const verdict = toolVerdict(upload, name);
        if (upload.exitCode === 0 && applies(v)) {
          const apply = await machine.run(command('apply', name), timeoutMs);
          verdict.then = { step: 'apply', verdict: toolVerdict(apply, name) };
          if (apply.exitCode === 0) await expectOk(machine.run(command('revert', name), timeoutMs), `revert ${name}`);
        }
        verdicts.set(v.id, verdict);
        if (upload.exitCode === 0) await expectOk(machine.run(command('unload', name), timeoutMs), `unload ${name}`);
        if ((next + 1) % 100 === 0) progress(`${next + 1} of ${variants.length} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    } catch (error) {
      // The machine is gone: this variant took it down (a wild pointer the hypervisor followed).
      progress(`${variants[next].id} (${variants[next].description}): the machine stopped: ${(error as Error).message.split('\n')[0]}`);
      verdicts.set(variants[next].id, { outcome: 'crashed' });
      next++;
    } finally {
      await machine.close();
    }
  }
  return { versions, verdicts, seconds: (performance.now() - started) / 1000, boots };
}

async function expectOk(result: Promise<CommandResult>, what: string): Promise<void> {
  const r = await result;
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}): ${r.stderr}`);
}

/** Xen's version line from the boot log, dom0's kernel from uname. */
async function machineVersions(machine: QemuMachine): Promise<Record<string, string>> {
  const xen = machine.bootLog.find((l) => /\(XEN\) Xen version /.test(l))?.replace(/^.*\(XEN\) /, '') ?? 'Xen (version line not seen)';
  const buildId = machine.bootLog.find((l) => /\(XEN\) build-id: /.test(l))?.replace(/^.*\(XEN\) /, '');
  const uname = (await machine.run(command('uname', '-rv'), timeoutMs)).stdout.trim();
  return { xen, ...(buildId ? { xenBuildId: buildId } : {}), dom0: `Linux ${uname}` };
}
