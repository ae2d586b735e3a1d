// Issue 17's property run (item 7 b and e, item 8): every seed a fresh machine where CPU 0 loads
// xen_hello_world while the other CPUs call xen_extra_version in a loop; Xen's protocol without
// NMIs, and text_poke_bp with two CPUs looping and NMIs drawn from the seed. Zero tears and every
// call the old or the new result, or the failing seeds with the `emu` line that replays each.
// `node bench/smpProperty.bench.mjs [SEEDS] [--workers N]` (default 10,000 seeds a property, 2
// workers). Reference in the same run: the first 200 seeds of each property on one thread.
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { patchProperties, expectedResults, checkSeed } = require(path.join(root, 'server/out/emulator/smp/property'));
const files = {
  target: path.join(root, 'samples/build/target/sample-target'),
  payload: path.join(root, 'samples/build/payloads/xen/xen_hello_world.livepatch'),
};

/** Seeds first..last of a property, every `stride`-th: failures (at most 5 kept) and how many failed. */
function checkSeeds(property, expected, first, last, stride) {
  const failures = [];
  let failed = 0;
  for (let seed = first; seed <= last; seed += stride) {
    const failure = checkSeed(property, files, expected, seed);
    if (!failure) continue;
    failed++;
    if (failures.length < 5) failures.push(failure);
  }
  return { failures, failed };
}

if (!isMainThread) {
  // One worker for every property, so its warm-up is paid once.
  parentPort.on('message', ({ name, expected, last }) => {
    parentPort.postMessage(
      checkSeeds(
        patchProperties.find((p) => p.name === name),
        expected,
        workerData.first,
        last,
        workerData.stride,
      ),
    );
  });
} else {
  const args = process.argv.slice(2);
  const at = args.indexOf('--workers');
  const workers = at >= 0 ? Number(args.splice(at, 2)[1]) : 2;
  const seeds = Number(args[0] ?? 10000);
  const expected = expectedResults(files);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`${cpus().length} cores, load average ${load()}; old result ${expected.old}, new ${expected.new}`);
  // The reference first, alone: 200 seeds of each property on this thread.
  const reference = 200;
  const serialMs = patchProperties.map((property) => {
    const start = process.hrtime.bigint();
    checkSeeds(property, expected, 1, reference, 1);
    return Number(process.hrtime.bigint() - start) / 1e6 / reference;
  });
  const pool = Array.from({ length: workers }, (_, i) => new Worker(fileURLToPath(import.meta.url), { workerData: { first: i + 1, stride: workers } }));
  let bad = 0;
  const rows = [];
  for (const [index, property] of patchProperties.entries()) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const parts = await Promise.all(
      pool.map(
        (worker) =>
          new Promise((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.postMessage({ name: property.name, expected, last: seeds });
          }),
      ),
    );
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpuStart);
    const failed = parts.reduce((n, p) => n + p.failed, 0);
    bad += failed;
    for (const failure of parts.flatMap((p) => p.failures)) console.log(failure);
    rows.push({
      property: property.name,
      seeds,
      failed,
      [`wall s (${workers} workers)`]: wall.toFixed(1),
      'CPU s': ((used.user + used.system) / 1e6).toFixed(1),
      [`ms a seed (one thread, ${reference} seeds)`]: serialMs[index].toFixed(2),
      load: load(),
    });
  }
  for (const property of patchProperties) console.log(`${property.name}: ${property.what}`);
  console.table(rows);
  for (const worker of pool) await worker.terminate();
  process.exit(bad ? 1 : 0);
}
