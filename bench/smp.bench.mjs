// Several CPUs in the embedded emulator, in host time: the property run of issue 17 (CPU 1
// calling xen_build_info in a loop while CPU 0 applies xen_trap_world, one fresh boot per
// seed) under each patching protocol, counting the seeds whose write tore; and one apply plus
// revert of the payload with 4 CPUs, three of them looping through the function.
// `node bench/smp.bench.mjs [SEEDS]` (default 1000 seeds a protocol).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { EmulatorSession } = require(path.join(root, 'server/out/emulator/session'));
const { runtimeFactory } = require(path.join(root, 'server/out/emulator/runtimes'));
const { commandFromWords } = require(path.join(root, 'server/out/scenario/parse'));
const target = path.join(root, 'samples/build/target/sample-target');
const payload = path.join(root, 'samples/build/payloads/xen/xen_trap_world.livepatch');
const seeds = Number(process.argv[2] ?? 1000);

const run = (session, line) => session.run(commandFromWords(line.split(' ')));

const rows = [];
for (const poke of ['naive', 'xen', 'linux']) {
  for (const nmiRate of [0, 20]) {
    let torn = 0;
    let firstTorn;
    const start = process.hrtime.bigint();
    for (let seed = 1; seed <= seeds; seed++) {
      const session = new EmulatorSession(runtimeFactory('xen'), { target, seed, poke, nmiRate });
      run(session, 'run 1 xen_build_info --loop');
      const load = run(session, `load ${payload}`);
      if (/torn-write/.test(load.stderr)) {
        torn++;
        firstTorn ??= seed;
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rows.push({
      poke,
      'NMIs /1000 ticks': nmiRate,
      seeds,
      'seeds torn': torn,
      'first torn seed': firstTorn ?? '-',
      s: seconds.toFixed(2),
      'ms a seed': ((seconds * 1000) / seeds).toFixed(2),
    });
  }
}
console.table(rows);

// A payload with .data cannot be applied twice (Xen's rule): a fresh machine each time, timed from the apply.
let best = Infinity;
for (let i = 0; i < 20; i++) {
  const session = new EmulatorSession(runtimeFactory('xen'), { target, cpus: 4, poke: 'xen', seed: i + 1 });
  for (const cpu of [1, 2, 3]) run(session, `run ${cpu} xen_build_info --loop`);
  run(session, `upload hw ${payload}`);
  const start = process.hrtime.bigint();
  const apply = run(session, 'apply hw');
  const revert = run(session, 'revert hw');
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (apply.exitCode || revert.exitCode) throw new Error(apply.stderr + revert.stderr);
  best = Math.min(best, ms);
}
console.log(
  `apply + revert of xen_trap_world (1 function), 4 CPUs, 3 looping, Xen's protocol: best of 20 ${best.toFixed(2)} ms (16 time slices of each looping CPU after each command included)`,
);
