import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { EmulatorSession } from '../../../../server/out/emulator';
import { fromRoot } from '../../support/paths';
import { run } from '../samples/binutils';
import { disassembly, nmOf, realSession, returned, runLines, tallied } from './realCpus';

// Issue 17 item 1 on Debian's own xen-syms: each emulated CPU is the CPU the image's own code
// expects — stacks whose cpu_info says processor_id n, its idle vCPU and __per_cpu_offset[n],
// which points at an area of its own — so smp_processor_id() and this_cpu() in the image's
// functions answer per CPU. Then the torn write of issue 17 on the real image, with the
// hello-world payload built for it while CPU 1 loops the real xen_extra_version.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const skip = existsSync(xenSyms) ? false : `${xenSyms} is not installed: run \`node scripts/xen-artifacts.mjs --install\` (package xen-hypervisor-4.17-amd64-dbg)`;
const helloWorld = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms), 'xen_hello_world.livepatch');
const CPUS = 3;
let session: EmulatorSession;
let nm: (name: string) => bigint;

before(() => {
  if (skip) return;
  run('make', ['-s', '-C', fromRoot('samples'), 'real-xen', `XEN_SYMS=${xenSyms}`]);
  session = realSession('xen', xenSyms, { cpus: CPUS });
  nm = nmOf(xenSyms);
});

test("smp_processor_id() of the image's own code is the CPU it runs on: pit_broadcast_enter sets bit n of pit_broadcast_mask on CPU n", { skip }, () => {
  // The premise, from objdump: the bit is cpu_info's processor_id, found from %rsp (-0x3f below the STACK_SIZE-aligned top).
  assert.match(disassembly(xenSyms, nm('pit_broadcast_enter'), 0x20), /or\s+\$0x7fff,%rax\n.*mov\s+-0x3f\(%rax\),%eax\n.*lock bts %eax,.*<pit_broadcast_mask>/);
  const mask = () => session.cpus!.machine.memory.readU64(nm('pit_broadcast_mask'));
  assert.equal(mask(), 0n);
  for (const [command, expected] of [
    ['run 2 pit_broadcast_enter\nstop 2', 0b100n],
    ['run 1 pit_broadcast_enter\nstop 1', 0b110n],
    ['call pit_broadcast_enter', 0b111n],
  ] as const) {
    for (const r of runLines(session, command)) assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(mask(), expected, command);
  }
});

test("a per-CPU variable written on CPU 1 is CPU 1's only: this_cpu(batching) of cpu_raise_softirq_batch_begin is at __per_cpu_offset[1], in an area of CPU 1's", { skip }, () => {
  const memory = session.cpus!.machine.memory;
  const offsetOf = (cpu: number) => memory.readU64(nm('__per_cpu_offset') + 8n * BigInt(cpu));
  const batching = nm('per_cpu__batching');
  const results = runLines(session, 'run 1 cpu_raise_softirq_batch_begin\nstop 1\nrun 1 cpu_raise_softirq_batch_begin\nstop 1');
  for (const r of results) assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  // The function leaves this_cpu_ptr(batching), computed by the image from cpu_info->per_cpu_offset, in rax.
  const copy1 = BigInt.asUintN(64, batching + offsetOf(1));
  assert.deepEqual(tallied(results[3]), [copy1]);
  assert.equal(memory.readU32(copy1), 2);
  assert.equal(memory.readU32(BigInt.asUintN(64, batching + offsetOf(0))), 0);
  assert.notEqual(offsetOf(1), offsetOf(0));
  assert.notEqual(offsetOf(1), offsetOf(2));
  // Not the template's range: an area of its own.
  const [start, end] = [nm('__per_cpu_start'), nm('__per_cpu_data_end')];
  assert.ok(copy1 < start || copy1 >= end, `CPU 1's copy 0x${copy1.toString(16)} is inside the template`);
  const back = returned(runLines(session, 'call cpu_raise_softirq_batch_begin')[0]);
  assert.equal(back, BigInt.asUintN(64, batching + offsetOf(0)));
  assert.equal(memory.readU32(copy1), 2, "CPU 0's increment is CPU 0's");
});

/** CPU 1 loops the real xen_extra_version while hello world is loaded (applied) and reverted. */
function applyWhileLooping(poke: 'naive' | 'xen', seed: number) {
  const s = realSession('xen', xenSyms, { seed, poke });
  return runLines(s, `run 1 xen_extra_version --loop\nxen-livepatch load ${helloWorld}\nxen-livepatch revert xen_hello_world\nstop 1`);
}

test('naive poke on the real image: CPU 1 in the real xen_extra_version fetches the half-written jmp, and the fault names it', { skip }, () => {
  const site = nm('xen_extra_version');
  let torn: string | undefined;
  for (let seed = 1; seed <= 20 && !torn; seed++) torn = applyWhileLooping('naive', seed).find((r) => /torn-write/.test(r.stderr))?.stderr;
  assert.ok(torn, 'no seed of 1..20 tore the write');
  assert.match(torn, new RegExp(`^CPU1: guest fault \\(torn-write\\) at xen_extra_version.*\\(0x${site.toString(16)}\\).*naive protocol was writing e9 `, 'm'));
});

test("Xen's protocol on the real image: 200 seeds of apply and revert with CPU 1 in the real xen_extra_version, tear none, every call returns", { skip }, () => {
  for (let seed = 1; seed <= 200; seed++) {
    const results = applyWhileLooping('xen', seed);
    for (const r of results) assert.equal(r.exitCode, 0, `seed ${seed}: ${r.stdout}${r.stderr}`);
    assert.ok(tallied(results[3]).length > 0, `seed ${seed}: CPU 1 returned from no call`);
  }
});
