// Guest instructions per second of the embedded emulator on CPU-bound kernel-style C (hashing a
// buffer, a sort, a tight arithmetic loop), against the same C run natively and, for reference,
// as a user-mode program under Debian's qemu-x86_64 (qemu-user), all in this run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { Machine } = require(path.join(root, 'server/out/emulator'));
const out = path.join(root, 'bench/out');
const source = path.join(root, 'test/fixtures/emulator/bench.c');
const main = path.join(root, 'test/fixtures/emulator/bench-main.c');
mkdirSync(out, { recursive: true });

// The flags the emulator's own tests build kernel objects with (dependencies.md §4), plus fentry.
const { KERNEL_FLAGS } = require(path.join(root, 'test/out/unit/emulator/support/gcc'));
const kernelFlags = ['-O2', '-pg', '-mfentry', ...KERNEL_FLAGS];
const object = path.join(out, 'bench.o');
const native = path.join(out, 'bench-native');
const staticNative = path.join(out, 'bench-static');
execFileSync('gcc', ['-c', ...kernelFlags, source, '-o', object]);
execFileSync('gcc', ['-O2', '-mno-sse4', source, main, '-o', native]);
execFileSync('gcc', ['-O2', '-static', source, main, '-o', staticNative]);
const qemu = spawnSync('qemu-x86_64', ['--version']).status === 0 ? 'qemu-x86_64' : undefined;

const workloads = [
  { name: 'hash', rounds: 200 },
  { name: 'sort', rounds: 20 },
  { name: 'arith', rounds: 1000 },
];

/** Best of five runs: the host programs finish in milliseconds, so one run is mostly noise. */
function hostRun(command, args) {
  let best;
  for (let i = 0; i < 5; i++) {
    const [sum, seconds] = execFileSync(command, args, { encoding: 'utf8' }).trim().split(' ');
    if (!best || Number(seconds) < best.seconds) best = { sum: BigInt(`0x${sum}`), seconds: Number(seconds) };
  }
  return best;
}

/** Best of five emulator runs too: the machine is shared, and a slow run says more about the neighbours. */
function emulatorRun(name, rounds) {
  let best;
  let first;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    const result = machine.call(`bench_${name}`, [BigInt(rounds)], { budget: 1e10, timeoutMs: 600_000 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 'returned') throw new Error(result.fault.report());
    if (!best || seconds < best.seconds) best = { result, seconds };
    first ??= seconds;
  }
  return { ...best, first };
}

const machine = new Machine();
machine.loadObject(object, 'bench.o');
const rows = [];
let failed = false;
for (const { name, rounds } of workloads) {
  machine.call(`bench_${name}`, [1n], { budget: 1e10 });
  const { result, seconds, first } = emulatorRun(name, rounds);
  const nat = hostRun(native, [name, String(rounds)]);
  const q = qemu ? hostRun(qemu, [staticNative, name, String(rounds)]) : undefined;
  if (nat.sum !== result.rax || (q && q.sum !== result.rax)) {
    failed = true;
    console.error(`${name}: checksums differ (emulator 0x${result.rax.toString(16)}, native 0x${nat.sum.toString(16)}${q ? `, qemu 0x${q.sum.toString(16)}` : ''})`);
  }
  rows.push({
    workload: name,
    'guest insns': result.instructions,
    'emulator s': seconds.toFixed(3),
    'M insn/s': (result.instructions / seconds / 1e6).toFixed(1),
    // The first run still pays for V8 tiering up the freshly generated block functions.
    'first run M/s': (result.instructions / first / 1e6).toFixed(1),
    'native s': nat.seconds.toFixed(4),
    'x native': (seconds / nat.seconds).toFixed(0),
    'qemu s': q ? q.seconds.toFixed(4) : 'n/a',
    'x qemu': q ? (seconds / q.seconds).toFixed(1) : 'n/a (apt-get install qemu-user)',
  });
}
console.table(rows);
console.log(`blocks compiled: ${machine.cpu.cache.compiled}`);
process.exit(failed ? 1 : 0);
