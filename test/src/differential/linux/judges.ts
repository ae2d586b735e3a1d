import { LinuxKernel } from '../../../../server/out/emulator/klp/kernel';
import { LinuxRuntime } from '../../../../server/out/emulator/klp/linuxRuntime';
import { headersModuleAbi } from '../../../../server/out/emulator/klp/moduleAbi';
import { EmulatorSession } from '../../../../server/out/emulator/session';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { findLinuxPieces } from '../../../../server/out/machines/hostPieces';
import { linuxProfile } from '../../../../server/out/machines/linuxProfile';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import type { ScenarioCommand } from '../../../../server/out/scenario/command';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { LinuxVerdict, verdictOf } from './verdict';

const words = (...argv: string[]): ScenarioCommand => ({ argv, text: argv.join(' ') }) as ScenarioCommand;

/** The file a variant is insmod'ed from, in the folder both machines read. */
export const variantFile = (id: string): string => `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.ko`;

/**
 * The emulator's verdicts: each variant insmod'ed on the sample target with the module ABI of
 * the kernel the modules were built for (moduleAbi.ts), the machine rebooted
 * after every variant it accepted (or that broke it), so each starts from a fresh boot.
 */
export function emulatorVerdicts(dir: string, files: readonly string[], target: string, headers: string): LinuxVerdict[] {
  // The kernel the modules were built for: its vermagic, exports and CRCs, from the headers kbuild used.
  const abi = headersModuleAbi(headers);
  const session = new EmulatorSession({ name: 'linux', boot: (t) => new LinuxRuntime(LinuxKernel.boot(t, { abi })) }, { target, baseDir: dir });
  const verdicts: LinuxVerdict[] = [];
  for (const file of files) {
    const verdict = verdictOf(session.run(words('insmod', file)));
    verdicts.push(verdict);
    if (verdict.accepted || verdict.broken) session.run(words('reset'));
  }
  return verdicts;
}

/**
 * The guest's loop over a batch of variants, in one command (a command's framing, and every
 * process started, cost more than an insmod under TCG on a busy host): per variant, a marker
 * written into the kernel log and on the console (the host's sign that the batch goes on), kmod's insmod and its exit status; after an accepted one, every
 * livepatch disabled and every module removed (a few rounds: the livepatch core lets go of a
 * disabled patch's module just after its transition ends), so the next variant meets the kernel
 * as a fresh boot left it. The kernel log of the whole batch comes at its end, cut at the
 * markers. It stops at the first variant that oopsed (TAINT_DIE), warned (TAINT_WARN, newly),
 * or left a module behind; the host reboots the machine after it.
 */
function batchScript(files: string[]): string {
  return `has() { read -r _ < /proc/modules; }
read t0 < /proc/sys/kernel/tainted
for f in ${files.join(' ')}; do
  echo "@@V $f" > /dev/kmsg
  echo "@@V $f"
  echo "@@V $f" > /dev/console
  insmod $f 2>&1; rc=$?
  echo "@@RC $rc"
  read t < /proc/sys/kernel/tainted
  [ $(( t & 128 )) = 0 ] || { echo "@@BROKEN"; break; }
  if [ $rc = 0 ]; then
    for p in /sys/kernel/livepatch/*; do [ -e "$p/enabled" ] && echo 0 > "$p/enabled"; done
    i=0; while has && [ $i -lt 250 ]; do while read -r m _; do busybox rmmod $m 2>/dev/null; done < /proc/modules; has && sleep 0.02; i=$((i+1)); done
    has && { echo "@@STUCK"; cat /proc/modules; break; }
    read t < /proc/sys/kernel/tainted
    [ $(( t & 128 )) = 0 ] || { echo "@@BROKEN"; break; }
  fi
  [ $(( (t ^ t0) & 512 )) = 0 ] || { echo "@@WARNED"; break; }
done
echo "@@LOG"
dmesg -c`;
}

/** One variant's part of a batch's output. */
interface BatchItem {
  file: string;
  result: Pick<CommandResult, 'stderr' | 'exitCode' | 'log'>;
  /** Why the batch stopped after it. */
  stopped?: string;
}

function parseBatch(stdout: string): BatchItem[] {
  const [run, log = ''] = stdout.split('\n@@LOG\n');
  const items: BatchItem[] = [];
  let item: BatchItem | undefined;
  let part: 'stderr' | 'after' = 'stderr';
  for (const line of run.split('\n')) {
    const v = line.match(/^@@V (\S+)$/);
    if (v) {
      item = { file: v[1], result: { stderr: '', exitCode: -1, log: [] } };
      items.push(item);
      part = 'stderr';
    } else if (!item) continue;
    else if (line.startsWith('@@RC ')) {
      item.result.exitCode = Number(line.slice(5));
      part = 'after';
    } else if (/^@@(BROKEN|STUCK|WARNED)$/.test(line)) item.stopped = line.slice(2);
    else if (part === 'stderr') item.result.stderr += `${line}\n`;
    else if (item.stopped) item.stopped += ` ${line}`;
  }
  const byFile = new Map(items.map((i) => [i.file, i]));
  let current: BatchItem | undefined;
  for (const line of log.split('\n')) {
    const marker = line.match(/^\[[\s\d.]+\] @@V (\S+)$/);
    if (marker) current = byFile.get(marker[1]);
    else if (current && line) current.result.log.push(line);
  }
  return items;
}

export interface RealRun {
  verdicts: LinuxVerdict[];
  /** `uname -r` and `uname -v` of the booted kernel. */
  kernel: string;
  accel: string;
  boots: number;
  /** Variants after which the machine was resumed from its checkpoint (a fresh boot's kernel), and why. */
  restores: { index: number; why: string }[];
}

/** A batch that has not started a variant for this long is hung: a module stuck in its init, a kernel in a loop. */
const quietMs = 30_000;
/**
 * An oops or BUG makes the kernel print to the console from then on (console_verbose()), and
 * the rest of a batch then often hangs on a lock the dead task held: a batch is stopped at its
 * first one and run again a variant at a time from a resumed machine.
 */
const oops = /^\[[\s\d.]+\] (general protection fault|BUG: |kernel BUG at|Oops: )/;

/**
 * The real kernel's verdicts: one boot of Debian's kernel with every variant in its initramfs,
 * insmod'ed by kmod in batches. A variant that oopses or warns, or whose module cannot be
 * removed, leaves a kernel that cannot judge the next one (a module stuck in its init, ftrace
 * turned off): the machine is then resumed from the checkpoint taken just after the boot (a
 * second where a boot takes several), and that written down. A batch during which the machine
 * died is run again a variant at a time, to find the one that killed it; a variant during which
 * it died is run once more on a fresh machine (what killed it may be an earlier module's timer),
 * and is `crashed` when that one dies too.
 */
export async function realVerdicts(
  dir: string,
  names: readonly string[],
  log: (line: string) => void = () => undefined,
  onVerdict: (index: number, verdict: LinuxVerdict) => void = () => undefined,
  batchSize = 25,
): Promise<RealRun> {
  const files = new GuestFiles(dir);
  for (const name of names) files.add(name);
  const count = names.length;
  const profile = linuxProfile(findLinuxPieces(), files, { memoryMiB: 1024 });
  const restores: RealRun['restores'] = [];
  let machine = await QemuMachine.boot(profile, { checkpoints: true });
  const release = await machine.run(words('uname', '-r'));
  const version = await machine.run(words('uname', '-v'));
  const kernel = `${release.stdout.trim()} ${version.stdout.trim()}`;
  const accel = machine.accel;
  log(`booted ${kernel} (${accel}${machine.kvmFailure ? `: KVM refused, ${machine.kvmFailure.split('\n')[0]}` : ''}) in ${machine.bootMs.toFixed(0)} ms`);
  const checkpoint = await machine.checkpoint();
  const verdicts: LinuxVerdict[] = [];
  const reboot = async (index: number, why: string) => {
    restores.push({ index, why });
    machine.discard();
    machine = await QemuMachine.resume(checkpoint);
    log(`resumed from the checkpoint in ${machine.bootMs.toFixed(0)} ms after ${names[index]}: ${why}`);
  };
  let one = 0;
  let retried = -1;
  for (let next = 0; next < count;) {
    const size = one > next ? 1 : batchSize;
    const batch = names.slice(next, next + size);
    let stdout: string;
    try {
      stdout = (await machine.run(words('eval', batchScript(batch)), 30_000 + batch.length * 5_000, { quietMs, ...(batch.length > 1 ? { stopOn: oops } : {}) })).stdout;
    } catch (error) {
      const why = `the machine died: ${(error as Error).message.split('\n')[0]}`;
      if (batch.length > 1) {
        one = next + batch.length;
        await reboot(next, `${why} (its batch is run again a variant at a time)`);
        continue;
      }
      if (retried !== next) {
        retried = next;
        await reboot(next, `${why} (run again on a fresh machine)`);
        continue;
      }
      verdicts.push({ accepted: false, error: why, kernel: [], broken: why });
      onVerdict(next, verdicts[next]);
      await reboot(next, why);
      next++;
      continue;
    }
    const items = parseBatch(stdout);
    if (!items.length) throw new Error(`the guest ran no variant of ${batch[0]}...: ${stdout.slice(0, 400)}`);
    log(`${next + items.length}/${count} judged`);
    for (const item of items) {
      const verdict = verdictOf(item.result);
      verdicts.push(item.stopped && !verdict.broken && item.stopped !== 'WARNED' ? { ...verdict, broken: item.stopped } : verdict);
      onVerdict(next, verdicts[next]);
      next++;
      // An oops, a stuck module or ftrace turned off leaves a kernel that cannot judge more; so
      // may a WARN (an empty .orc_unwind_ip table WARNs at load, and the kernel died at the next
      // insmod once): the machine is rebooted after either, but only the first makes the variant a crash.
      const why =
        verdicts[next - 1].broken ?? (item.stopped === 'WARNED' ? `it WARNed: ${verdicts[next - 1].kernel.find((l) => l.startsWith('WARNING')) ?? 'cut here'}` : undefined);
      if (why) await reboot(next - 1, why);
    }
  }
  await machine.close();
  checkpoint.dispose();
  return { verdicts, kernel, accel, boots: 1, restores };
}
