import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EmulatorSession, runtimeFactory, SessionCommandResult } from '../../../../../server/out/emulator';
import type { EmulatorSessionOptions } from '../../../../../server/out/emulator';
import { commandsOf, parseScript } from '../../../../../server/out/scenario/parse';
import { fromRoot } from '../../../support/paths';
import { buildSamples, nmSymbol, objdumpBytes, samplePayload, targetPath } from '../xen/support/xenPayloads';

// Several CPUs on the Xen runtime of the sample target: the three ways of writing a live patch
// while CPU 1 keeps calling the function being patched, and NMI / #MC through the target's own
// handlers. The oracles: nm and objdump for the addresses and bytes, the C sources for the
// strings the old and the new function return.

buildSamples();

/** What the functions return, read from their C sources, not from the emulator. */
const oldString = /xen_build_info\(void\)\n\{\n\treturn "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8'))![1];
const newString = /return "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'payloads', 'xen', 'xen_trap_world_func.c'), 'utf8'))![1];
const site = nmSymbol('xen_build_info').address;

function session(options: Partial<EmulatorSessionOptions> = {}): EmulatorSession {
  return new EmulatorSession(runtimeFactory('xen'), { target: targetPath, ...options });
}

function runAll(s: EmulatorSession, script: string): SessionCommandResult[] {
  return commandsOf(parseScript(script.replaceAll('PAYLOAD', samplePayload('xen_trap_world')), 't')).map((c) => s.run(c));
}

const loopAndApply = 'run 1 xen_build_info --loop\nload PAYLOAD\nstop 1';

/** The results the looping CPU's calls returned, from the `stop` tally: the strings. */
function tallied(stop: SessionCommandResult): string[] {
  return [...stop.stdout.matchAll(/^ {2}\d+ x 0x[0-9a-f]+(?: "(.*)")?$/gm)].map((m) => m[1] ?? '(no string)');
}

test('a seed makes a run exactly repeatable, and the seed decides the interleaving', () => {
  const text = (seed: number) => JSON.stringify(runAll(session({ seed, poke: 'linux' }), loopAndApply).map((r) => [r.stdout, r.stderr, r.exitCode]));
  assert.equal(text(7), text(7));
  const distinct = new Set([1, 2, 3, 4, 5, 6].map(text).map((t) => t.replace(/seed \d+/g, '')));
  assert.ok(distinct.size > 1, 'six seeds all interleaved the same way');
});

test('naive byte-by-byte poke with CPU 1 looping through the function: a torn fetch, named', () => {
  const old = objdumpBytes('xen_build_info', 5);
  let torn: { seed: number; result: SessionCommandResult } | undefined;
  for (let seed = 1; seed <= 50 && !torn; seed++) {
    const [, load] = runAll(session({ seed, poke: 'naive' }), loopAndApply);
    if (/torn-write/.test(load.stderr)) torn = { seed, result: load };
  }
  assert.ok(torn, 'no seed of 1..50 tore the write');
  const { seed, result } = torn;
  assert.equal(result.exitCode, 1);
  const line = result.stderr.split('\n').find((l) => l.includes('fetched a half-written instruction'))!;
  assert.match(line, /^CPU1: /);
  assert.ok(line.includes(`(0x${site.toString(16)})`), line);
  assert.ok(line.includes(`over ${[...old].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`), line);
  assert.match(line, /it decoded e9 /);
  assert.match(line, /naive protocol was writing e9 /);
  assert.ok(line.endsWith(`seed ${seed}`), line);
  // The seed replays it.
  const [, again] = runAll(session({ seed, poke: 'naive' }), loopAndApply);
  assert.equal(again.stderr, result.stderr);
});

for (const poke of ['xen', 'linux'] as const) {
  test(`${poke} protocol: no tear over 200 seeds, every call returns the old or the new function's result`, () => {
    let newSeen = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const results = runAll(session({ seed, poke }), loopAndApply);
      const [, load, stop] = results;
      assert.equal(load.exitCode, 0, `seed ${seed}: ${load.stderr}`);
      assert.doesNotMatch(load.stderr, /torn-write/, `seed ${seed}`);
      const strings = tallied(stop);
      assert.ok(strings.length > 0, `seed ${seed}: no call returned`);
      for (const s of strings) assert.ok(s === oldString || s === newString, `seed ${seed}: a call returned ${s}`);
      if (strings.includes(newString)) newSeen++;
    }
    assert.equal(newSeen, 200, 'the loop went on past the patch and saw the new function');
  });
}

test('text_poke_bp with NMIs drawn from the seed: the handler meets the int3 too, no tear over 200 seeds; naive tears in do_nmi', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const [, load, stop] = runAll(session({ seed, poke: 'linux', nmiRate: 20 }), loopAndApply);
    assert.doesNotMatch(load.stderr, /torn-write/, `seed ${seed}`);
    for (const s of tallied(stop)) assert.ok(s === oldString || s === newString, `seed ${seed}: a call returned ${s}`);
  }
  let inHandler: string | undefined;
  for (let seed = 1; seed <= 50 && !inHandler; seed++) {
    const [, load] = runAll(session({ seed, poke: 'naive', nmiRate: 20 }), loopAndApply);
    inHandler = load.stderr.split(/\n(?=CPU)/).find((note) => /torn-write/.test(note) && /do_nmi/.test(note));
  }
  assert.ok(inHandler, 'no seed of 1..50 tore inside do_nmi');
  assert.match(inHandler, /xen_build_info \(returns to default_nmi_callback\+0x[0-9a-f]+\)/);
});

test('text_poke_bp: a CPU hitting the int3 runs the new instruction through poke_int3_handler', () => {
  let hit: SessionCommandResult | undefined;
  for (let seed = 1; seed <= 50 && !hit; seed++) {
    const [, load] = runAll(session({ seed, poke: 'linux' }), loopAndApply);
    if (load.stderr.includes("hit text_poke_bp's int3")) hit = load;
  }
  assert.ok(hit, 'no seed of 1..50 hit the int3');
  assert.equal(hit.exitCode, 0);
  assert.match(hit.stderr, /^CPU1: hit text_poke_bp's int3 at xen_build_info \(e8 [0-9a-f ]+ -> e9 [0-9a-f ]+\) \d+ times/m);
});

test("Xen's rendezvous: a CPU that never arrives times out the action with Xen's message", () => {
  const [, , apply] = runAll(session(), 'run 1 spin_irqs_off\nupload hw PAYLOAD\nexpect 2 apply hw');
  assert.equal(apply.exitCode, 2);
  assert.ok(
    apply.log.some((l) => l.endsWith('livepatch: hw: Timed out on semaphore in CPU quiesce phase 0/1')),
    apply.log.join('\n'),
  );
  // With four CPUs, two of them stuck.
  const four = runAll(session({ cpus: 4 }), 'run 1 spin_irqs_off\nrun 3 spin_irqs_off\nupload hw PAYLOAD\nexpect 2 apply hw');
  assert.ok(
    four[3].log.some((l) => l.endsWith('livepatch: hw: Timed out on semaphore in CPU quiesce phase 1/3')),
    four[3].log.join('\n'),
  );
});

test('NMIs during the Xen patch are swallowed by the masked callback and counted lost; outside it do_nmi runs', () => {
  const s = session();
  const memory = () => s.running!.machine.memory;
  const nmiCount = nmSymbol('nmi_count').address;
  const [, , load] = runAll(s, 'nmi 0 after 1\nnmi 1 after 2\nload PAYLOAD');
  assert.equal(load.exitCode, 0, load.stderr);
  assert.equal(load.stderr.match(/NMI lost/g)?.length, 2, load.stderr);
  assert.match(load.stderr, /^CPU0: NMI lost/m);
  assert.match(load.stderr, /^CPU1: NMI lost/m);
  assert.equal(memory().readU64(nmiCount), 0n);
  const [dump] = runAll(s, 'dump');
  assert.match(dump.stdout, /^CPU0: .*1 NMIs lost/m);
  assert.match(dump.stdout, /^CPU1: .*1 NMIs lost/m);
  runAll(s, 'nmi 1');
  assert.equal(memory().readU64(nmiCount), 1n);
  // The handler called the (now patched) function.
  assert.equal(memory().readCString(memory().readU64(nmSymbol('nmi_seen').address)), newString);
});

test("#MC is not masked: one at the write runs the half-written function (Xen's own TODO)", () => {
  const [, load] = runAll(session(), 'mce 0 after 1\nload PAYLOAD');
  assert.equal(load.exitCode, 1);
  assert.match(load.stderr, /^CPU0: #MC in the middle of the xen protocol's write at xen_build_info/m);
  assert.match(load.stderr, /^CPU0: guest fault \(torn-write\) .*CPU0 fetched a half-written instruction/m);
  assert.match(load.stderr, /do_machine_check/);
});

test('the NMI latch: an NMI inside an NMI waits for the iret', () => {
  const s = session();
  runAll(s, 'run 1 spin_irqs_off');
  const cpu = s.cpus!.cpu(1);
  const nmiCount = nmSymbol('nmi_count').address;
  runAll(s, 'nmi 1');
  // Delivered into the running call; between commands the handler ran and returned, then the held one.
  assert.equal(s.running!.machine.memory.readU64(nmiCount), 1n);
  assert.equal(cpu.nmiLatched, false);
  const smp = s.cpus!;
  smp.raise(cpu, 'nmi', 0);
  smp.raise(cpu, 'nmi', 0);
  assert.equal(cpu.nmiLatched, true);
  assert.equal(cpu.nmiPending, true);
  assert.equal(cpu.frames.length, 1, 'the second NMI nested');
  smp.between();
  assert.equal(s.running!.machine.memory.readU64(nmiCount), 3n);
  assert.equal(cpu.frames.length, 0);
});

test('bad CPU numbers and options are usage errors', () => {
  const [run, stop, nmi] = runAll(session(), 'expect 2 run 2 xen_build_info\nexpect 2 stop x\nexpect 2 nmi 1 later 3');
  assert.match(run.stderr, /no CPU 2: the machine has CPUs 0..1/);
  assert.equal(stop.exitCode, 2);
  assert.match(nmi.stderr, /expected 'after N'/);
});

test('two CPUs by default, and a session that never uses the second prints nothing of it', () => {
  const s = session();
  const results = runAll(s, 'load PAYLOAD\ncall xen_build_info\ndump');
  assert.equal(s.cpus!.cpus, 2);
  for (const r of results) {
    assert.equal(r.exitCode, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /CPU\d|seed/);
  }
});
