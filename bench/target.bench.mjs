// TargetIndex on the real Debian kernel: cold build, cache load, peak RSS, against
// `readelf --debug-dump=info vmlinux > /dev/null` as the reference, all in this run.
// Needs `apt-get install linux-image-amd64-dbg`; skips with a message without it.
// Each figure is the best of LPL_BENCH_RUNS (default 3) runs, with /proc/loadavg before it;
// LPL_BENCH_NO_READELF=1 leaves out the reference while iterating.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const debugDir = '/usr/lib/debug/boot';
const vmlinux =
  process.env.LIVEPATCH_LENS_VMLINUX ??
  (existsSync(debugDir)
    ? readdirSync(debugDir)
        .filter((f) => f.startsWith('vmlinux-'))
        .sort()
        .map((f) => path.join(debugDir, f))
        .pop()
    : undefined);
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
      const { symbols, inlines, structs } = index.tables;
      console.log(JSON.stringify({ ms, fromCache: index.fromCache, rssMb: process.resourceUsage().maxRSS / 1024,
        symbols: symbols.name.length, sites: inlines.callee.length, structs: structs.name.length, buildId: index.buildId,
        schedule: index.inlines('__schedule').length }));
    });`;
  const load = loadavg();
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${kind} failed: ${run.stderr}`);
  return { ...JSON.parse(run.stdout), load };
}

/** The 1, 5 and 15 minute load averages as /proc/loadavg states them, taken before each run. */
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The machine is shared: each figure is the best of `runs`, reported with the load it ran under. */
const runs = Math.max(1, Number(process.env.LPL_BENCH_RUNS ?? 3));
function best(kind, prepare) {
  let fastest;
  for (let i = 0; i < runs; i++) {
    const result = step(kind, prepare());
    if (!fastest || result.ms < fastest.ms) fastest = result;
  }
  return fastest;
}

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'lpl-bench-'));
try {
  const skipReadelf = process.env.LPL_BENCH_NO_READELF === '1';
  const readelfLoad = loadavg();
  const readelfStart = performance.now();
  if (!skipReadelf) spawnSync('readelf', ['--debug-dump=info', vmlinux], { stdio: ['ignore', 'ignore', 'ignore'] });
  const readelfMs = skipReadelf ? NaN : performance.now() - readelfStart;
  let coldDirs = 0;
  const cold = best('cold build', () => {
    const dir = path.join(cacheDir, `cold-${coldDirs++}`);
    mkdirSync(dir);
    return dir;
  });
  const warm = best('cache load', () => path.join(cacheDir, 'cold-0'));
  if (cold.fromCache || !warm.fromCache) throw new Error('the cache was not used as expected');
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (ms, digits) => (skipReadelf ? 'n/a' : `${(ms / readelfMs).toFixed(digits)}x`);
  console.log(`vmlinux: ${vmlinux} (build-id ${cold.buildId})`);
  console.log(`  ${cold.symbols} symbols, ${cold.sites} inlined copies, ${cold.structs} structs, ${cold.schedule} functions inlined into __schedule`);
  console.log(`  readelf --debug-dump=info  ${skipReadelf ? 'skipped (LPL_BENCH_NO_READELF=1)' : `${s(readelfMs)}  (reference, one run, load ${readelfLoad})`}`);
  console.log(
    `  cold build                 ${s(cold.ms)}  (${ratio(cold.ms, 2)} readelf; aim 5 s)  peak RSS ${cold.rssMb.toFixed(0)} MB (aim < 1536)  best of ${runs}, load ${cold.load}`,
  );
  console.log(`  cache load                 ${s(warm.ms)}  (${ratio(warm.ms, 4)} readelf; aim 0.5 s)  peak RSS ${warm.rssMb.toFixed(0)} MB  best of ${runs}, load ${warm.load}`);
  console.log(`  machine: ${os.cpus().length} cores, load average now ${loadavg()}`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
