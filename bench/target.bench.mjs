// TargetIndex on the real Debian kernel: cold build, cache load, peak RSS, against
// `readelf --debug-dump=info vmlinux > /dev/null` as the reference, all in this run.
// Needs `apt-get install linux-image-amd64-dbg`; skips with a message without it.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const debugDir = '/usr/lib/debug/boot';
const vmlinux = process.env.LIVEPATCH_LENS_VMLINUX
  ?? (existsSync(debugDir) ? readdirSync(debugDir).filter((f) => f.startsWith('vmlinux-')).sort().map((f) => path.join(debugDir, f)).pop() : undefined);
if (!vmlinux || !existsSync(vmlinux)) {
  console.log('target.bench: skipped: no vmlinux with DWARF (apt-get install linux-image-amd64-dbg, or set LIVEPATCH_LENS_VMLINUX)');
  process.exit(0);
}
if (!existsSync(path.join(root, 'server/out/target/index.js'))) {
  console.log('target.bench: server/out is not built; run `npx tsc -b server` first');
  process.exit(1);
}

/** One measured step in a fresh process, so each peak RSS is its own (worker threads included). */
function step(kind, cacheDir) {
  const script = `
    const { loadTargetIndex } = require(${JSON.stringify(path.join(root, 'server/out/target'))});
    const started = performance.now();
    loadTargetIndex(${JSON.stringify(vmlinux)}, { cacheDir: ${JSON.stringify(cacheDir)} }).then((index) => {
      const ms = performance.now() - started;
      const sites = index.data.inlineSites.length;
      console.log(JSON.stringify({ ms, fromCache: index.fromCache, rssMb: process.resourceUsage().maxRSS / 1024,
        symbols: index.data.symbols.length, sites, structs: index.data.structs.length, buildId: index.buildId,
        schedule: index.inlines('__schedule').length }));
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${kind} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lpl-bench-'));
try {
  // LPL_BENCH_NO_READELF=1 skips the 2-3 minute reference while iterating; ratios then read n/a.
  const skipReadelf = process.env.LPL_BENCH_NO_READELF === '1';
  const readelfStart = performance.now();
  if (!skipReadelf) spawnSync('readelf', ['--debug-dump=info', vmlinux], { stdio: ['ignore', 'ignore', 'ignore'] });
  const readelfMs = skipReadelf ? NaN : performance.now() - readelfStart;
  const cold = step('cold build', cacheDir);
  const warm = step('cache load', cacheDir);
  if (cold.fromCache || !warm.fromCache) throw new Error('the cache was not used as expected');
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`vmlinux: ${vmlinux} (build-id ${cold.buildId})`);
  console.log(`  ${cold.symbols} symbols, ${cold.sites} inlined copies, ${cold.structs} structs, ${cold.schedule} functions inlined into __schedule`);
  console.log(`  readelf --debug-dump=info  ${skipReadelf ? 'skipped (LPL_BENCH_NO_READELF=1)' : `${s(readelfMs)}  (reference)`}`);
  console.log(`  cold build                 ${s(cold.ms)}  (${(cold.ms / readelfMs).toFixed(2)}x readelf; aim 5 s)  peak RSS ${cold.rssMb.toFixed(0)} MB (aim < 1536)`);
  console.log(`  cache load                 ${s(warm.ms)}  (${(warm.ms / readelfMs).toFixed(3)}x readelf; aim 0.5 s)  peak RSS ${warm.rssMb.toFixed(0)} MB`);
  console.log(`  machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
