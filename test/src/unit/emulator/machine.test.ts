import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Machine, Perm } from '../../../../server/out/emulator';
import { corpusDir, kernelObject } from './support/gcc';

// What the livepatch runtimes build on: code patching seen by the decode cache, the shadow call
// stack, tasks that stop inside a native and resume, the __fentry__ hook and tracing.

const object = kernelObject(path.join(corpusDir, 'machine.c'), 'O2');

async function machine(probe: (m: Machine) => bigint = () => 0n): Promise<Machine> {
  const m = new Machine();
  m.natives.define({ name: 'host_probe', kind: 'call', run: () => probe(m) });
  m.natives.define({
    name: 'host_sleep',
    kind: 'call',
    run: (ctx) => {
      ctx.stop(`sleeping with token ${ctx.arg(0)}`);
      return ctx.arg(0) * 2n;
    },
  });
  m.loadObject(await object, 'machine.o');
  return m;
}

/** `jmp rel32` from one address to another, as a live patch writes it. */
function jump(from: bigint, to: bigint): Uint8Array {
  const rel = BigInt.asUintN(32, to - (from + 5n));
  return Uint8Array.of(0xe9, ...[0n, 8n, 16n, 24n].map((s) => Number((rel >> s) & 0xffn)));
}

test('writing guest code invalidates the decoded blocks covering it', async () => {
  const m = await machine();
  assert.equal(m.call('call_answer').rax, 43n);
  const answer = m.symbols.get('answer')!.address;
  // mov $7, %eax; ret -- written over answer()'s first bytes (after its __fentry__ call).
  m.memory.write(answer, Uint8Array.of(0xb8, 7, 0, 0, 0, 0xc3), { force: true });
  assert.equal(m.call('call_answer').rax, 8n, 'the host write is seen');
  const scratch = m.allocateNearCode(4096n, 'patched code');
  m.memory.write(scratch, Uint8Array.of(0xb8, 99, 0, 0, 0, 0xc3), { force: true });
  m.memory.write(answer, jump(answer, scratch), { force: true });
  assert.equal(m.call('call_answer').rax, 100n, 'a jmp rel32 patch redirects the function');
});

test('the guest writing its own code (RWX page) is seen at the next execution', async () => {
  const m = await machine();
  const page = m.allocate(4096n, 'rwx', Perm.RWX);
  m.memory.write(
    page,
    Uint8Array.of(
      0xc6,
      0x05,
      0x01,
      0x00,
      0x00,
      0x00,
      0x2a, // movb $42, 1(%rip): the immediate of the next mov
      0xb8,
      0x00,
      0x00,
      0x00,
      0x00, //             mov $0, %eax, in the same decoded block
      0xc3, //                                     ret
    ),
  );
  assert.equal(m.call(page).rax, 42n);
});

test('the shadow call stack names every function on the guest stack', async () => {
  let seen: string[] = [];
  const m = await machine((mm) => {
    seen = mm.backtrace();
    return 5n;
  });
  const result = m.call('outer', [0n]);
  assert.equal(result.rax, 7n);
  // leaf() ends in a tail call (jmp host_probe), so leaf's frame stands for both.
  assert.deepEqual(
    seen.map((f) => f.split(' ')[0]),
    ['leaf', 'middle', 'outer'],
  );
  assert.match(seen[0], /returns to middle\+0x/);
  assert.equal(m.currentTask.frames.length, 0, 'the stack is empty after the call');
});

test('a native can stop a task; other tasks run meanwhile; the task resumes where it slept', async () => {
  const m = await machine();
  const worker = m.createTask('worker');
  const first = m.call('sleeper', [21n], { task: worker });
  assert.equal(first.status, 'stopped');
  assert.equal(first.stopReason, 'sleeping with token 21');
  assert.equal(worker.state, 'stopped');
  assert.deepEqual(
    worker.frames.map((f) => m.describe(f.target)),
    ['sleeper'],
  );
  assert.equal(m.call('call_answer', [], { task: m.tasks[0] }).rax, 43n, 'another task runs');
  assert.throws(() => m.call('call_answer', [], { task: worker }), /worker' is stopped/);
  const resumed = m.resume(worker);
  assert.equal(resumed.status, 'returned');
  assert.equal(resumed.rax, 142n);
  assert.equal(worker.state, 'idle');
});

test('a native may run another task to its stop and to its return (a CPU scheduled while the patching one is parked in it); the outer run goes on', async () => {
  const inner: string[] = [];
  const m = await machine((m) => {
    const home = m.currentTask;
    const worker = m.createTask('worker');
    const slept = m.call('sleeper', [5n], { task: worker });
    const woke = m.resume(worker);
    m.switchTo(home);
    inner.push(`${slept.status} ${slept.stopReason}`, `${woke.status} ${woke.rax}`, `busy ${m.cpu.busy}`);
    return 7n;
  });
  const result = m.call('outer', [0n]);
  assert.equal(result.status, 'returned', result.fault?.report() ?? result.stopReason);
  // host_probe's 7, then middle's and outer's + 1 each.
  assert.equal(result.rax, 9n);
  assert.deepEqual(inner, ['stopped sleeping with token 5', 'returned 110', 'busy true']);
  assert.equal(m.cpu.busy, false);
});
test('the __fentry__ hook sees every traced call and can redirect it', async () => {
  const m = await machine();
  const answer = m.symbols.get('answer')!.address;
  const calls: string[] = [];
  m.fentryHook = (site) => {
    calls.push(m.describe(site));
    return site === answer ? m.symbols.get('leaf')!.address : undefined;
  };
  const result = m.call('call_answer');
  assert.deepEqual(calls, ['call_answer', 'answer', 'leaf'], 'the redirected-to function is traced too');
  assert.equal(result.rax, 1n, 'answer() was redirected to leaf(), whose host_probe returns 0');
});

test('trace mode reports each instruction before it runs', async () => {
  const m = await machine();
  const lines: string[] = [];
  m.cpu.trace = (address, text) => lines.push(`${m.describe(address)}: ${text}`);
  const result = m.call('call_answer');
  m.cpu.trace = undefined;
  assert.equal(result.rax, 43n);
  assert.equal(lines.length, result.instructions);
  assert.match(lines[0], /^call_answer: call/);
  assert.ok(
    lines.some((l) => /^answer\+0x[0-9a-f]+: mov eax,2Ah/.test(l)),
    lines.join('\n'),
  );
});

test('unloading an object: its symbols stop resolving and its code faults, the next call still works', async () => {
  const m = await machine();
  assert.equal(m.call('call_answer').rax, 43n, 'decoded and run once, so the unload must drop cached code');
  const answer = m.symbols.get('call_answer')!.address;
  const image = m.images.find((i) => i.name === 'machine.o')!;
  m.unloadObject(image);
  assert.equal(m.symbols.get('call_answer'), undefined);
  assert.equal(m.symbols.at(answer), undefined);
  assert.equal(m.memory.isMapped(answer), false);
  const run = m.call(answer);
  assert.equal(run.status, 'fault');
  assert.match(run.fault!.report(), /fetch|execute|not mapped/i);
  assert.equal(m.images.includes(image), false);
  assert.throws(() => m.unloadObject(image), /not a loaded object/);
});
