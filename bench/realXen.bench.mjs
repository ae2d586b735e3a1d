// Debian's own xen-syms as the emulated machine (docs/emulator-real-xen.md): boot (image load and
// the replayed boot functions), upload and apply of the hello-world payload built for it (its hook
// runs the image's real printk), and a call of the patched function; against the same steps on the
// bundled sample target with its own hello world, in this run. Skips without the -dbg package.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { XenLivepatch } = require(path.join(root, 'server/out/emulator/xen'));
const artifacts = JSON.parse(readFileSync(path.join(root, 'scripts/debian-artifacts.json'), 'utf8'));
const xenSyms = artifacts.files.xenSyms;
if (!existsSync(xenSyms)) {
  console.log(`skipped: ${xenSyms} is not installed (node scripts/xen-artifacts.mjs --install)`);
  process.exit(0);
}
execFileSync('make', ['-s', '-C', path.join(root, 'samples'), 'all', 'real-xen', `XEN_SYMS=${xenSyms}`]);
const machines = {
  'xen-syms': { target: xenSyms, payloads: path.join(root, 'samples/build/payloads/xen-real', path.basename(xenSyms)) },
  sample: { target: path.join(root, 'samples/build/target/sample-target'), payloads: path.join(root, 'samples/build/payloads/xen') },
};

const ms = (run) => {
  const start = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
};

/**
 * Host CPU time, best of five, each on a fresh machine (the host is shared, the slowest runs say
 * more about the neighbours), and the first run: what a fresh CLI process pays.
 */
function measure({ target, payloads }) {
  const best = { boot: Infinity, upload: Infinity, apply: Infinity, call: Infinity };
  let first;
  const bytes = readFileSync(path.join(payloads, 'xen_hello_world.livepatch'));
  for (let i = 0; i < 5; i++) {
    const boot = ms(() => XenLivepatch.boot(target));
    const xen = boot.value;
    const upload = ms(() => xen.upload('xen_hello_world', bytes));
    const apply = ms(() => {
      xen.action('xen_hello_world', 'apply');
      xen.idle();
    });
    if (upload.value !== 0 || xen.appliedStack().length !== 1) throw new Error(`hello world did not apply on ${target}:\n${xen.console.log}`);
    xen.machine.call('xen_extra_version');
    const call = ms(() => xen.machine.call('xen_extra_version'));
    const run = { boot: boot.ms, upload: upload.ms, apply: apply.ms, call: call.ms };
    first ??= run;
    for (const [key, value] of Object.entries(run)) best[key] = Math.min(best[key], value);
  }
  return { best, first };
}

const results = Object.fromEntries(Object.entries(machines).map(([name, m]) => [name, measure(m)]));
console.log('step         xen-syms first / best    sample first / best    ratio (best)   host CPU, 5 runs');
for (const step of ['boot', 'upload', 'apply', 'call']) {
  const [real, sample] = [results['xen-syms'], results.sample];
  const pair = (r) => `${r.first[step].toFixed(2).padStart(7)} / ${r.best[step].toFixed(2).padStart(6)} ms`;
  console.log(`${step.padEnd(12)} ${pair(real)}  ${pair(sample)}  ${(real.best[step] / sample.best[step]).toFixed(1).padStart(8)}x`);
}
