import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmulatorSession, Machine, runtimeFactory, SessionCommandResult } from '../../../../../server/out/emulator';
import type { EmulatorSessionOptions } from '../../../../../server/out/emulator';
import { commandsOf, parseScript } from '../../../../../server/out/scenario/parse';
import { buildSamples, nmSymbol, samplePayload, targetPath } from '../xen/support/xenPayloads';

// Timer ticks, the protocols' call-function IPIs and #BP through the sample target's own
// handlers (samples/target/x86_vectors.c), each counting in a variable read back by its nm
// address. How many IPIs a protocol sends is the protocol's: text_poke_bp syncs three times
// (arch/x86/kernel/alternative.c), Xen's schedule_work() kicks every other CPU once.

buildSamples();

function session(options: Partial<EmulatorSessionOptions> = {}): EmulatorSession {
  return new EmulatorSession(runtimeFactory('xen'), { target: targetPath, ...options });
}

function runAll(s: EmulatorSession, script: string): SessionCommandResult[] {
  return commandsOf(parseScript(script.replaceAll('PAYLOAD', samplePayload('xen_hello_world')), 't')).map((c) => s.run(c));
}

const counter = (s: EmulatorSession, name: string): bigint => s.running!.machine.memory.readU64(nmSymbol(name).address);

test('--timer N: each CPU takes a tick every N of its instructions in timer_interrupt; none without it', () => {
  const period = 40;
  const s = session({ timerPeriod: period, seed: 5 });
  const results = runAll(s, 'run 1 xen_extra_version --loop\ndump\ndump\nstop 1');
  for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
  const ticks = s.cpus!.known().reduce((sum, cpu) => sum + cpu.ticks, 0);
  const taken = Number(counter(s, 'timer_ticks'));
  assert.ok(ticks > 20 * period, `only ${ticks} instructions ran`);
  // Every CPU's first tick is somewhere in its first period: at most one off each way per CPU.
  assert.ok(Math.abs(taken - ticks / period) <= s.cpus!.cpus, `${taken} ticks taken over ${ticks} instructions`);
  const quiet = session({ seed: 5 });
  runAll(quiet, 'run 1 xen_extra_version --loop\ndump\ndump\nstop 1');
  assert.equal(counter(quiet, 'timer_ticks'), 0n);
});

test('--timer: a CPU with interrupts off holds the ticks it misses as one, taken when it turns them on', () => {
  const s = session({ timerPeriod: 10 });
  runAll(s, 'run 1 spin_irqs_off\ndump\ndump');
  assert.equal(counter(s, 'timer_ticks'), 0n, 'a tick got through cli');
  assert.deepEqual(s.cpus!.cpu(1).heldIrqs, ['timer']);
  // stop puts the CPU back in its idle loop, interrupts on; its next time slice takes the tick.
  runAll(s, 'stop 1\nrun 1 xen_extra_version');
  assert.ok(counter(s, 'timer_ticks') >= 1n);
  assert.deepEqual(s.cpus!.cpu(1).heldIrqs, []);
});

test('--ipi with text_poke_bp: three syncs, each an IPI every other CPU takes; none without --ipi', () => {
  const script = 'run 1 xen_extra_version --loop\nrun 2 xen_extra_version --loop\nload PAYLOAD\nstop 1\nstop 2';
  for (const seed of [1, 2, 3]) {
    const s = session({ poke: 'linux', cpus: 3, ipis: true, seed });
    const results = runAll(s, script);
    for (const r of results) assert.equal(r.exitCode, 0, `seed ${seed}: ${r.stderr}`);
    assert.equal(counter(s, 'call_function_ipis'), 6n, `seed ${seed}`);
  }
  const quiet = session({ poke: 'linux', cpus: 3 });
  runAll(quiet, script);
  assert.equal(counter(quiet, 'call_function_ipis'), 0n);
});

test('--ipi with text_poke_bp: a CPU with interrupts off never takes the sync, and the note says Linux waits for it', () => {
  const s = session({ poke: 'linux', ipis: true });
  const [, load] = runAll(s, 'run 1 spin_irqs_off\nload PAYLOAD');
  assert.match(load.stderr, /^CPU1: has not taken text_poke_bp's sync IPI after 64 time slices \(interrupts off\?\): Linux waits for it \(seed 1\)$/m);
  assert.equal(counter(s, 'call_function_ipis'), 0n);
});

test("--ipi with Xen's protocol: the rendezvous kicks each other CPU once; one with interrupts off holds it and times out", () => {
  const s = session({ cpus: 3, ipis: true });
  const results = runAll(s, 'run 1 xen_extra_version --loop\nrun 2 xen_extra_version --loop\nload PAYLOAD\nstop 1\nstop 2');
  for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(counter(s, 'call_function_ipis'), 2n);
  const stuck = session({ cpus: 3, ipis: true });
  const [, , , apply] = runAll(stuck, 'run 1 spin_irqs_off\nrun 2 xen_extra_version --loop\nupload hw PAYLOAD\nexpect 2 apply hw');
  assert.equal(apply.exitCode, 2);
  assert.ok(
    apply.log.some((l) => l.endsWith('Timed out on semaphore in CPU quiesce phase 1/2')),
    apply.log.join('\n'),
  );
  assert.equal(counter(stuck, 'call_function_ipis'), 1n, 'only CPU 2 took the kick');
  assert.deepEqual(stuck.cpus!.cpu(1).heldIrqs, ['ipi']);
});

test("#BP: an int3 that is no patch's runs the target's do_int3 and resumes after it, on CPU 0 and on another CPU", () => {
  const s = session();
  const [call] = runAll(s, 'call int3_selftest');
  assert.equal(call.exitCode, 0, call.stderr);
  assert.match(call.stdout, /^rax = 0x1\b/m);
  const [, stop] = runAll(s, 'run 1 int3_selftest\nstop 1');
  assert.match(stop.stdout, /^ {2}1 x 0x2$/m);
  assert.equal(counter(s, 'int3_count'), 2n);
  // A machine without the IDT (no session's CPUs) faults on it, as before.
  const machine = new Machine();
  machine.loadTarget(targetPath);
  const bare = machine.call('int3_selftest');
  assert.equal(bare.status, 'fault');
  assert.equal(bare.fault?.kind, 'breakpoint');
});
