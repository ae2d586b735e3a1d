// Debian's own vmlinux as the emulated kernel (docs/emulator-real-linux.md): boot (image load, the
// struct layouts from the cached target index, per-CPU areas, the natives bound by name), insmod
// of the kbuild-built livepatch-sample.ko (module load, klp_enable_patch, the transition) and
// `cat /proc/cmdline` through the patched real cmdline_proc_show; against the same steps on the
// bundled sample target in this run. Host CPU time, best of five. Skips without the -dbg package
// or the kbuild samples.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { LinuxKernel } = require(path.join(root, 'server/out/emulator/klp/kernel'));
const { runLinuxCommand } = require(path.join(root, 'server/out/emulator/klp/shell'));
const { loadTargetIndex } = require(path.join(root, 'server/out/target/loadTargetIndex'));
const { defaultCacheDir } = require(path.join(root, 'server/out/target/targetCache'));
const artifacts = JSON.parse(readFileSync(path.join(root, 'scripts/debian-artifacts.json'), 'utf8'));
const vmlinux = artifacts.files.vmlinux;
const manifest = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'livepatch-lens', 'kbuild', artifacts.linuxAbi, 'current.json');
if (!existsSync(vmlinux) || !existsSync(manifest)) {
  console.log(`skipped: needs ${vmlinux} (linux-image-${artifacts.linuxAbi}-dbg) and the kbuild samples (node scripts/kbuild-livepatch-samples.mjs --with-vmlinux)`);
  process.exit(0);
}
const modules = JSON.parse(readFileSync(manifest, 'utf8')).modules;
// The index the editor writes on opening the target: boot reads its struct layouts from there.
await loadTargetIndex(vmlinux, { cacheDir: defaultCacheDir() });
const targets = { vmlinux, sample: path.join(root, 'samples/build/target/sample-target') };

const cpuMs = (run) => {
  const start = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
};
const sh = (kernel, text) =>
  runLinuxCommand(kernel, { argv: text.split(' '), expect: 0, text, source: 'bench' }, { readFile: (p) => readFileSync(modules[p.replace(/\.ko$/, '')] ?? p) });

function measure(target) {
  const best = { boot: Infinity, insmod: Infinity, cat: Infinity };
  let first;
  for (let i = 0; i < 5; i++) {
    const boot = cpuMs(() => LinuxKernel.boot(target));
    const kernel = boot.value;
    const insmod = cpuMs(() => sh(kernel, 'insmod livepatch-sample.ko'));
    const cat = cpuMs(() => sh(kernel, 'cat /proc/cmdline'));
    if (insmod.value.exitCode !== 0 || cat.value.stdout !== 'this has been live patched\n')
      throw new Error(`livepatch-sample did not patch ${target}: ${JSON.stringify([insmod.value, cat.value])}`);
    const run = { boot: boot.ms, insmod: insmod.ms, cat: cat.ms };
    first ??= run;
    for (const key of Object.keys(best)) best[key] = Math.min(best[key], run[key]);
  }
  return { best, first };
}

const results = Object.fromEntries(Object.entries(targets).map(([name, target]) => [name, measure(target)]));
// The first run is what a fresh CLI process pays (no guest block compiled, no JIT warmed up yet).
console.log('step         vmlinux first / best     sample first / best    ratio (best)   host CPU, 5 runs');
for (const step of ['boot', 'insmod', 'cat']) {
  const [real, sample] = [results.vmlinux, results.sample];
  const pair = (r) => `${r.first[step].toFixed(1).padStart(7)} / ${r.best[step].toFixed(1).padStart(6)} ms`;
  console.log(`${step.padEnd(12)} ${pair(real)}  ${pair(sample)}  ${(real.best[step] / sample.best[step]).toFixed(1).padStart(8)}x`);
}
