import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { EmulatorSession } from '../../../../server/out/emulator';
import { kbuildSamples } from '../../support/kbuildSamples';
import { disassembly, nmOf, realSession, returned, runLines, tallied } from './realCpus';

// Issue 17 item 1 on Debian's own vmlinux: each emulated CPU is the CPU the image's own code
// expects — its copy of the per-CPU template at __per_cpu_offset[n] with %gs at it, its cpu_number,
// its idle task as current — so the image's functions (the BPF helpers the kernel gives programs
// for exactly this) answer per CPU. Then the torn write of issue 17 on the real image: CPU 1 loops
// the real cmdline_proc_show while livepatch-sample.ko's patch is disabled (ftrace's call -> NOP).
const found = kbuildSamples({ vmlinux: true });
const skip = found.skip || false;
const vmlinux = found.samples?.vmlinux ?? '';
const CPUS = 3;
/** SOFTLOCKUP_DELAY_REPORT (kernel/watchdog.c): ULONG_MAX, what touch_softlockup_watchdog() stores. */
const DELAY_REPORT = 2n ** 64n - 1n;
let session: EmulatorSession;
let nm: (name: string) => bigint;

before(() => {
  if (skip) return;
  session = realSession('linux', vmlinux, { cpus: CPUS });
  nm = nmOf(vmlinux);
});

/** A zeroed buffer in the guest, as a scenario argument. */
const buffer = (size: bigint) => `0x${session.cpus!.machine.allocate(size, 'test buffer').toString(16)}`;

test("smp_processor_id() of the image's own code is the CPU it runs on: bpf_get_smp_processor_id gives n on CPU n", { skip }, () => {
  // The premise, from objdump: the function is a %gs read of cpu_number.
  assert.match(disassembly(vmlinux, nm('bpf_get_smp_processor_id'), 0x10), /mov\s+%gs:.*<cpu_number>/);
  const results = runLines(session, 'run 1 bpf_get_smp_processor_id\nrun 2 bpf_get_smp_processor_id\ncall bpf_get_smp_processor_id\nstop 1\nstop 2');
  for (const r of results) assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.equal(returned(results[2]), 0n);
  assert.deepEqual(tallied(results[3]), [1n]);
  assert.deepEqual(tallied(results[4]), [2n]);
});

test("each CPU's current is its own idle task: swapper/n by the image's bpf_get_current_comm, not init_task", { skip }, () => {
  const [one, zero] = [buffer(16n), buffer(16n)];
  const results = runLines(
    session,
    `run 1 bpf_get_current_comm ${one} 16\ncall bpf_get_current_comm ${zero} 16\nstop 1\nrun 1 bpf_get_current_task\nstop 1\ncall bpf_get_current_task`,
  );
  for (const r of results) assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const memory = session.cpus!.machine.memory;
  assert.equal(memory.readCString(BigInt(one), 16), 'swapper/1');
  assert.equal(memory.readCString(BigInt(zero), 16), 'swapper/0');
  assert.equal(returned(results[5]), nm('init_task'));
  const [idle1] = tallied(results[4]);
  assert.notEqual(idle1, nm('init_task'));
});

test("a per-CPU variable written on CPU 1 is CPU 1's only: the image's bpf_per_cpu_ptr / bpf_this_cpu_ptr find the copies, nr_cpu_ids bounds them", { skip }, () => {
  const variable = `0x${nm('watchdog_report_ts').toString(16)}`;
  const results = runLines(
    session,
    [
      'run 1 touch_softlockup_watchdog',
      'stop 1',
      `run 1 bpf_this_cpu_ptr ${variable}`,
      'stop 1',
      `call bpf_per_cpu_ptr ${variable} 1`,
      `call bpf_per_cpu_ptr ${variable} 0`,
      `call bpf_per_cpu_ptr ${variable} ${CPUS}`,
    ].join('\n'),
  );
  for (const r of results) assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const [onCpu1] = tallied(results[3]);
  const [copy1, copy0, beyond] = results.slice(4).map(returned);
  assert.equal(onCpu1, copy1, "CPU 1's this_cpu_ptr is per_cpu_ptr(.., 1)");
  assert.notEqual(copy1, copy0);
  assert.equal(beyond, 0n, `CPU ${CPUS} is beyond nr_cpu_ids`);
  const memory = session.cpus!.machine.memory;
  assert.equal(memory.readU64(copy1), DELAY_REPORT);
  assert.notEqual(memory.readU64(copy0), DELAY_REPORT);
});

/**
 * CPU 1 loops the real cmdline_proc_show (on a zeroed seq_file: it overflows, writing nothing)
 * while ftrace writes its __fentry__ site: the call over the NOP when insmod enables the patch,
 * or the NOP over the call when it is disabled; `cycles` times, with rmmod between.
 */
function patchWhileLooping(write: 'enable' | 'disable', poke: 'naive' | 'linux', seed: number, cycles: number): { torn?: string; failed?: string } {
  const s = realSession('linux', vmlinux, { seed, poke });
  const seqFile = `0x${s.cpus!.machine.allocate(0x1000n, 'a seq_file').toString(16)}`;
  const loop = `run 1 cmdline_proc_show ${seqFile} 0 --loop`;
  const insmod = `insmod ${found.samples!.modules['livepatch-sample']}`;
  const disable = 'echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled';
  const script = (write === 'enable' ? [loop, insmod, 'stop 1', disable] : [insmod, loop, disable, 'stop 1']).concat('rmmod livepatch_sample').join('\n');
  const stopped = write === 'enable' ? 2 : 3;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const results = runLines(s, script);
    const torn = results.find((r) => /torn-write/.test(r.stderr));
    if (torn) return { torn: torn.stderr };
    const failed = results.find((r) => r.exitCode !== 0);
    if (failed) return { failed: `seed ${seed} cycle ${cycle}: ${failed.stdout}${failed.stderr}` };
    assert.ok(tallied(results[stopped]).length > 0, `seed ${seed} cycle ${cycle}: CPU 1 returned from no call`);
  }
  return {};
}

/** The first torn fetch of seeds 1..5 (5 cycles each) under the naive protocol. */
function naiveTear(write: 'enable' | 'disable'): string {
  for (let seed = 1; seed <= 5; seed++) {
    const outcome = patchWhileLooping(write, 'naive', seed, 5);
    assert.equal(outcome.failed, undefined);
    if (outcome.torn) return outcome.torn;
  }
  assert.fail(`no seed of 1..5 tore the ${write} write in 5 cycles`);
}

test(
  'naive poke on the real image: CPU 1 in the real cmdline_proc_show fetches the half-written __fentry__ site as the patch is disabled, and the fault names it',
  { skip },
  () => {
    const site = nm('cmdline_proc_show');
    assert.match(
      naiveTear('disable'),
      new RegExp(`^CPU1: guest fault \\(torn-write\\) at cmdline_proc_show.*\\(0x${site.toString(16)}\\).*naive protocol was writing 0f 1f 44 00 00 over e8 `, 'm'),
    );
  },
);

test('naive poke on the real image: the same as insmod enables the patch, the call half written over the NOP', { skip }, () => {
  const site = nm('cmdline_proc_show');
  assert.match(
    naiveTear('enable'),
    new RegExp(`^CPU1: guest fault \\(torn-write\\) at cmdline_proc_show.*\\(0x${site.toString(16)}\\).*naive protocol was writing e8 .* over 0f 1f 44 00 00`, 'm'),
  );
});

test('text_poke_bp on the real image: 100 enables and 100 disables with CPU 1 in the real cmdline_proc_show, over 4 seeds, tear none', { skip }, () => {
  for (let seed = 1; seed <= 4; seed++) {
    assert.deepEqual(patchWhileLooping('enable', 'linux', seed, 25), {}, `enable, seed ${seed}`);
    assert.deepEqual(patchWhileLooping('disable', 'linux', seed, 25), {}, `disable, seed ${seed}`);
  }
});
