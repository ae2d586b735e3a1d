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
const bootTimeoutMs = 300_000;
/** A batch whose console has said nothing for this long is hung: the hypervisor in a loop. */
const quietMs = 60_000;

/**
 * dom0's shell function that judges one variant (`judge ID NAME FILE APPLY`): uploaded (applied
 * and reverted when APPLY is 1), then unloaded. Markers written to the console, between the
 * hypervisor's lines in the order the serial port carries them (Xen runs with sync_console), say
 * which variant the `(XEN)` lines that follow belong to and what each step returned, with the
 * tool's output in base64. `judge_lines FROM TO LIST` judges the variants on those lines of the
 * list (one `ID NAME FILE APPLY` a line). Both are in the image from the boot, so a batch is a
 * short command that any variant can start, in a machine resumed from the checkpoint too: a long
 * one would not do, as Xen's console drops what dom0 does not read from its 128-byte input ring
 * in time.
 */
const judgeScript = `step() { id=$1; what=$2; shift 2; xen-livepatch "$@" >/tmp/v.out 2>&1; rc=$?; echo "@@R $id $what $rc $(base64 /tmp/v.out | tr -d '\\n')" > /dev/console; }
judge() {
  echo "@@V $1" > /dev/console
  step $1 upload upload $2 $3
  if [ $rc = 0 ]; then
    if [ $4 = 1 ]; then step $1 apply apply $2; [ $rc = 0 ] && xen-livepatch revert $2 >/dev/null 2>&1; fi
    step $1 unload unload $2
  fi
}
judge_lines() { sed -n "$1,$2p" $3 | while read -r id name file apply; do judge $id $name $file $apply </dev/null; done; }
`;

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
 * `crashed` (the console up to its death says which), and the run goes on after it in a machine
 * resumed from the checkpoint taken once the boot was ready: seconds, not a boot.
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
  writeFileSync(path.join(dir, 'judge.sh'), judgeScript);
  const judge = files.add(path.join(dir, 'judge.sh'));
  writeFileSync(path.join(dir, 'variants.txt'), variants.map((v) => `${v.id} ${uploadName(v.id)} ${guest.get(v.id)!} ${applies(v) ? 1 : 0}\n`).join(''));
  const list = files.add(path.join(dir, 'variants.txt'));
  const started = performance.now();
  const verdicts = new Map<string, Verdict>();
  // Every console line of a command, the markers too: the stock profile keeps the (XEN) ones only.
  let machine = await QemuMachine.boot({ ...xenProfile(pieces, files), log: (frame) => frame.console }, { bootTimeoutMs, checkpoints: true });
  const versions = await machineVersions(machine);
  progress(`booted ${path.basename(pieces.xen)} (${machine.accel}) in ${(machine.bootMs / 1000).toFixed(1)} s`);
  const checkpoint = await machine.checkpoint();
  let restores = 0;
  try {
    for (let next = 0; next < variants.length;) {
      const batch = variants.slice(next, next + batchSize);
      try {
        const result = await machine.run(command('sh', '-c', `. ${judge}; judge_lines ${next + 1} ${next + batch.length} ${list}`), batchTimeoutMs, { quietMs });
        const { steps } = readBatch(result.log);
        for (const v of batch) verdicts.set(v.id, verdictOf(v, steps.get(v.id)));
        next += batch.length;
        progress(`${next} of ${variants.length} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      } catch (error) {
        const { steps, last } = readBatch(machine.unfinishedConsole());
        const at = Math.max(
          0,
          batch.findIndex((v) => v.id === last),
        );
        for (const v of batch.slice(0, at + 1)) verdicts.set(v.id, verdictOf(v, steps.get(v.id)));
        progress(`${batch[at].id} (${batch[at].description}) took the machine down: ${(error as Error).message.split('\n')[0]}`);
        next += at + 1;
        await machine.close();
        machine = await QemuMachine.resume(checkpoint, { bootTimeoutMs });
        restores++;
        progress(`resumed from the checkpoint in ${(machine.bootMs / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    await machine.close();
    checkpoint.dispose();
  }
  return { versions, verdicts, seconds: (performance.now() - started) / 1000, boots: 1, restores };
}

/** The hypervisor's version as dom0's /sys/hypervisor has it, dom0's kernel from uname. */
async function machineVersions(machine: QemuMachine): Promise<Record<string, string>> {
  const read = async (...words: string[]) => (await machine.run(command(...words), 60_000)).stdout.trim();
  const v = (f: string) => read('cat', `/sys/hypervisor/${f}`);
  const buildId = await read('sh', '-c', "od -An -tx1 /sys/hypervisor/properties/buildid | tr -d ' \\n'");
  const xen = `Xen ${await v('version/major')}.${await v('version/minor')}${await v('version/extra')} (build-id ${buildId})`;
  return { xen, dom0: `Linux ${await read('uname', '-rv')}` };
}
