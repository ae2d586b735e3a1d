import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import type { XenPieces } from '../../../../server/out/machines/xenPieces';
import { xenProfile } from '../../../../server/out/machines/xenProfile';
import { command } from '../../unit/machines/commands';
import type { RealRun } from '../core/loader';
import type { Variant, Verdict } from '../core/variant';
import { toolVerdict, uploadName } from './verdicts';

/** Variants per guest command: the markers and dmesg of a command cost more than an upload under TCG. */
const batchSize = 40;
const batchTimeoutMs = 900_000;

/**
 * dom0's shell for a batch of variants: each uploaded (applied and reverted when `applies`),
 * then unloaded. Markers written to the console, between the hypervisor's lines in the order
 * the serial port carries them (Xen runs with sync_console), say which variant the `(XEN)` lines
 * that follow belong to and what each step returned, with the tool's output in base64.
 */
function batchScript(variants: readonly Variant[], guestFile: (v: Variant) => string, applies: (v: Variant) => boolean): string {
  const step = (id: string, what: string, args: string) =>
    `xen-livepatch ${args} >/tmp/v.out 2>&1; rc=$?; echo "@@R ${id} ${what} $rc $(base64 /tmp/v.out | tr -d '\\n')" > /dev/console`;
  return variants
    .map((v) => {
      const name = uploadName(v.id);
      const apply = applies(v) ? `\n  ${step(v.id, 'apply', `apply ${name}`)}\n  [ $rc = 0 ] && xen-livepatch revert ${name} >/dev/null 2>&1` : '';
      return [
        `echo "@@V ${v.id}" > /dev/console`,
        step(v.id, 'upload', `upload ${name} ${guestFile(v)}`),
        `if [ $rc = 0 ]; then${apply}\n  ${step(v.id, 'unload', `unload ${name}`)}\nfi`,
      ].join('\n');
    })
    .join('\n');
}

interface StepResult {
  exitCode: number;
  stderr: string;
  log: string[];
}

/** The steps of each variant a batch's console lines report, and the variant that was running last. */
function readBatch(lines: readonly string[]): { steps: Map<string, Map<string, StepResult>>; last?: string } {
  const steps = new Map<string, Map<string, StepResult>>();
  let current: string | undefined;
  let pending: string[] = [];
  for (const line of lines) {
    const started = /^@@V (\S+)$/.exec(line);
    const result = /^@@R (\S+) (\w+) (\d+) ?(\S*)$/.exec(line);
    if (started) {
      current = started[1];
      steps.set(current, new Map());
      pending = [];
    } else if (result) {
      steps.get(result[1])?.set(result[2], { exitCode: Number(result[3]), stderr: Buffer.from(result[4], 'base64').toString('utf8'), log: pending });
      pending = [];
    } else if (line.startsWith('(XEN) ')) pending.push(line);
  }
  return { steps, last: current };
}

function verdictOf(v: Variant, steps: Map<string, StepResult> | undefined): Verdict {
  const upload = steps?.get('upload');
  if (!upload) return { outcome: 'crashed' };
  const verdict = toolVerdict(upload, uploadName(v.id));
  const apply = steps?.get('apply');
  if (upload.exitCode === 0 && apply) verdict.then = { step: 'apply', verdict: toolVerdict(apply, uploadName(v.id)) };
  return verdict;
}

/**
 * Every variant uploaded to Debian's Xen in one boot (dom0's xen-livepatch, as realXenDifferential
 * does), in batches of one guest command each. A variant that takes the hypervisor down is
 * `crashed` (the console up to its death says which), and the run goes on in a new boot after it.
 */
export async function runRealXen(
  pieces: XenPieces,
  dir: string,
  variants: readonly Variant[],
  applies: (v: Variant) => boolean,
  progress: (line: string) => void,
): Promise<RealRun> {
  const files = new GuestFiles(dir);
  const guest = new Map(variants.map((v) => [v.id, files.add(path.join(dir, `${uploadName(v.id)}.livepatch`))]));
  const started = performance.now();
  const verdicts = new Map<string, Verdict>();
  const versions: Record<string, string> = {};
  let boots = 0;
  let next = 0;
  while (next < variants.length) {
    // Each boot's batches start at the first variant not yet judged.
    const scripts: { from: number; to: number; guestPath: string }[] = [];
    for (let from = next; from < variants.length; from += batchSize) {
      const to = Math.min(from + batchSize, variants.length);
      const file = path.join(dir, `batch-${boots}-${from}.sh`);
      writeFileSync(file, `${batchScript(variants.slice(from, to), (v) => guest.get(v.id)!, applies)}\n`);
      scripts.push({ from, to, guestPath: files.add(file) });
    }
    // Every console line of a command, the markers too: the stock profile keeps the (XEN) ones only.
    const machine = await QemuMachine.boot({ ...xenProfile(pieces, files), log: (frame) => frame.console }, { bootTimeoutMs: 300_000 });
    boots++;
    let batch = scripts[0];
    try {
      if (boots === 1) Object.assign(versions, await machineVersions(machine));
      progress(`booted ${path.basename(pieces.xen)} (${machine.accel}) in ${(machine.bootMs / 1000).toFixed(1)} s; variants ${next}..${variants.length - 1}`);
      for (batch of scripts) {
        const result = await machine.run(command('sh', batch.guestPath), batchTimeoutMs);
        const { steps } = readBatch(result.log);
        for (const v of variants.slice(batch.from, batch.to)) verdicts.set(v.id, verdictOf(v, steps.get(v.id)));
        next = batch.to;
        progress(`${next} of ${variants.length} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    } catch (error) {
      const { steps, last } = readBatch(machine.unfinishedConsole());
      const at = last ? variants.findIndex((v) => v.id === last) : batch.from;
      for (const v of variants.slice(batch.from, at + 1)) verdicts.set(v.id, verdictOf(v, steps.get(v.id)));
      progress(`${variants[at].id} (${variants[at].description}) took the machine down: ${(error as Error).message.split('\n')[0]}`);
      next = at + 1;
    } finally {
      await machine.close();
    }
  }
  return { versions, verdicts, seconds: (performance.now() - started) / 1000, boots };
}

/** The hypervisor's version as dom0's /sys/hypervisor has it, dom0's kernel from uname. */
async function machineVersions(machine: QemuMachine): Promise<Record<string, string>> {
  const read = async (...words: string[]) => (await machine.run(command(...words), 60_000)).stdout.trim();
  const v = (f: string) => read('cat', `/sys/hypervisor/${f}`);
  const buildId = await read('sh', '-c', "od -An -tx1 /sys/hypervisor/properties/buildid | tr -d ' \\n'");
  const xen = `Xen ${await v('version/major')}.${await v('version/minor')}${await v('version/extra')} (build-id ${buildId})`;
  return { xen, dom0: `Linux ${await read('uname', '-rv')}` };
}
