// The real-machine runner (server/src/machines): boot-to-first-command time and per-command
// overhead of a Linux guest in QEMU, each against a reference measured in the same run:
// - boot: the default kernel (Debian's -dbg vmlinux through its PVH entry when installed) against
//   the compressed /boot/vmlinuz of the same release, and a cold image build against a cached one;
// - per command: `true` in the guest (framing, base64, dmesg -c, the console round trip) against
//   the same `sh -c true` spawned on the host, and the real livepatch sample's insmod and disable;
// - Xen with dom0 (when Debian's Xen is installed): boot to the first result against the Linux
//   boot above, and `xen-livepatch list` and `cat` against the same `true` round trip.
// Needs: bash scripts/ensure-vm.sh (QEMU, busybox, the kernel) and `npm run build`; the sample
// module from scripts/kbuild-livepatch-samples.mjs when built. Skips with a message otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { findLinuxPieces, debianKernel, realHost } = require(path.join(root, 'server/out/machines/hostPieces'));
const { GuestFiles } = require(path.join(root, 'server/out/machines/guestFiles'));
const { findXenPieces } = require(path.join(root, 'server/out/machines/xenPieces'));
const { xenProfile } = require(path.join(root, 'server/out/machines/xenProfile'));
const { linuxProfile } = require(path.join(root, 'server/out/machines/linuxProfile'));
const { QemuMachine } = require(path.join(root, 'server/out/machines/qemuMachine'));

let pieces;
try {
  pieces = findLinuxPieces();
} catch (error) {
  console.log(`skipped: ${error.message.replace(/\n\s*/g, '; ')}`);
  process.exit(0);
}
const release = debianKernel(realHost)?.release;
const manifest = path.join(os.homedir(), '.cache', 'livepatch-lens', 'kbuild', release ?? '-', 'current.json');
const sample = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).modules['livepatch-sample'] : undefined;
const command = (...argv) => ({
  argv: argv.filter((w) => w !== '>').slice(0, argv.includes('>') ? -1 : undefined),
  redirect: argv.includes('>') ? { path: argv.at(-1), append: false } : undefined,
  text: argv.join(' '),
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const boots = 3;
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'vm-bench-'));

async function bootTimes(kernel, files) {
  const times = [];
  let accel;
  for (let i = 0; i < boots; i++) {
    const started = performance.now();
    const machine = await QemuMachine.boot(linuxProfile({ ...pieces, kernel }, files), { cacheDir });
    const first = await machine.run(command('true'));
    times.push(performance.now() - started);
    accel = machine.accel;
    if (first.exitCode !== 0) throw new Error('the first command failed');
    await machine.close();
  }
  return { times, accel };
}

const files = new GuestFiles('/');
if (sample) files.add(sample);
const rows = [];
const main = await bootTimes(pieces.kernel, files);
rows.push({
  kernel: pieces.kernel,
  accel: main.accel,
  'boot to first result, median s': (median(main.times) / 1000).toFixed(2),
  'first (cold image) s': (main.times[0] / 1000).toFixed(2),
});
const vmlinuz = release && `/boot/vmlinuz-${release}`;
if (vmlinuz && vmlinuz !== pieces.kernel) {
  const ref = await bootTimes(vmlinuz, files);
  rows.push({ kernel: vmlinuz, accel: ref.accel, 'boot to first result, median s': (median(ref.times) / 1000).toFixed(2), 'first (cold image) s': 'cached' });
  rows.push({ kernel: 'ratio (default / vmlinuz)', 'boot to first result, median s': (median(main.times) / median(ref.times)).toFixed(2) });
}
console.table(rows);

// Per-command overhead.
const machine = await QemuMachine.boot(linuxProfile(pieces, files), { cacheDir });
const rounds = 50;
const perCommand = async (cmd) => {
  const started = performance.now();
  const result = await machine.run(cmd);
  return { ms: performance.now() - started, result };
};
const guestTrue = [];
for (let i = 0; i < rounds; i++) guestTrue.push((await perCommand(command('true'))).ms);
const hostTrue = [];
for (let i = 0; i < rounds; i++) {
  const started = performance.now();
  spawnSync('sh', ['-c', 'true']);
  hostTrue.push(performance.now() - started);
}
const cmdRows = [
  { command: 'true (guest, whole round trip)', 'median ms': median(guestTrue).toFixed(1) },
  { command: 'sh -c true (host spawn, reference)', 'median ms': median(hostTrue).toFixed(1) },
  { command: 'ratio guest / host', 'median ms': (median(guestTrue) / median(hostTrue)).toFixed(1) },
];
const cat = [];
for (let i = 0; i < rounds; i++) cat.push((await perCommand(command('cat', '/proc/cmdline'))).ms);
cmdRows.push({ command: 'cat /proc/cmdline', 'median ms': median(cat).toFixed(1) });
if (sample) {
  const insmod = await perCommand(command('insmod', sample));
  const disable = await perCommand(command('echo', '0', '>', '/sys/kernel/livepatch/livepatch_sample/enabled'));
  if (insmod.result.exitCode !== 0 || disable.result.exitCode !== 0) throw new Error(`the sample failed: ${insmod.result.stderr}${disable.result.stderr}`);
  cmdRows.push(
    { command: 'insmod livepatch-sample.ko (patching complete)', 'median ms': insmod.ms.toFixed(1) },
    { command: 'echo 0 > enabled (unpatching complete)', 'median ms': disable.ms.toFixed(1) },
  );
} else cmdRows.push({ command: 'insmod livepatch-sample.ko', 'median ms': 'n/a (node scripts/kbuild-livepatch-samples.mjs)' });
const closing = performance.now();
await machine.close();
cmdRows.push({ command: 'close (poweroff to QEMU exit)', 'median ms': (performance.now() - closing).toFixed(1) });
console.table(cmdRows);

let xen;
try {
  xen = findXenPieces();
} catch (error) {
  console.log(`Xen skipped: ${error.message.replace(/\n\s*/g, '; ')}`);
}
if (xen) {
  const xenRows = [];
  const started = performance.now();
  const dom0 = await QemuMachine.boot(xenProfile(xen, new GuestFiles('/'), { xenCacheDir: cacheDir }), { cacheDir });
  const firstList = await dom0.run(command('xen-livepatch', 'list'));
  const boot = performance.now() - started;
  if (firstList.exitCode !== 0) throw new Error(`xen-livepatch list failed: ${firstList.stderr}`);
  xenRows.push(
    { step: `Xen ${dom0.accel}: boot to first result (cold image)`, ms: boot.toFixed(0) },
    { step: 'ratio to the Linux boot (median)', ms: (boot / median(main.times)).toFixed(2) },
  );
  for (const [name, argv] of [
    ['true', ['true']],
    ['xen-livepatch list', ['xen-livepatch', 'list']],
    ['cat /sys/hypervisor/version/extra', ['cat', '/sys/hypervisor/version/extra']],
  ]) {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await dom0.run(command(...argv));
      times.push(performance.now() - t);
    }
    xenRows.push({ step: `${name}, median of 20`, ms: median(times).toFixed(1) });
  }
  await dom0.close();
  console.table(xenRows);
}
rmSync(cacheDir, { recursive: true, force: true });
