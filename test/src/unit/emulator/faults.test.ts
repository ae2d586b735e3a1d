import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CallResult, Machine } from '../../../../server/out/emulator';
import { corpusDir, kernelObject } from './support/gcc';

// Runaway and broken guest code ends the run with a precise report and leaves the machine usable.

const object = kernelObject(path.join(corpusDir, 'faults.c'), 'O2');

async function machine(): Promise<Machine> {
  const m = new Machine();
  m.loadObject(await object, 'faults.o');
  return m;
}

function faultOf(result: CallResult) {
  assert.equal(result.status, 'fault', `expected a fault, got ${result.status} with rax 0x${result.rax.toString(16)}`);
  return result.fault!;
}

async function expectFaultThenRecovery(call: (m: Machine) => CallResult, check: (report: string, m: Machine, result: CallResult) => void) {
  const m = await machine();
  const result = call(m);
  check(faultOf(result).report(), m, result);
  const next = m.call('ok', [20n]);
  assert.equal(next.status, 'returned');
  assert.equal(next.rax, 41n, 'the next call works');
}

test('a wild read is a page fault naming the address, the access and the function', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('wild_read', [0xdead0000n]),
    (report, _m, result) => {
      const fault = result.fault!;
      assert.equal(fault.kind, 'page-fault');
      assert.equal(fault.info.address, 0xdead0000n);
      assert.equal(fault.info.access, 'read');
      assert.match(report, /read of an unmapped address 0xdead0000/);
      assert.match(report, /at wild_read\+0x[0-9a-f]+/);
    },
  );
});

test('a wild write and a write to read-only data are page faults', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('wild_write', [0x10n]),
    (report, _m, result) => {
      assert.equal(result.fault!.info.access, 'write');
      assert.match(report, /write of an unmapped address 0x10\b/);
    },
  );
  await expectFaultThenRecovery(
    (m) => m.call('write_rodata'),
    (report) => {
      assert.match(report, /write of a page without write permission/);
    },
  );
});

test('division by zero raises #DE at the div instruction', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('divide', [10n, 0n]),
    (report, m, result) => {
      assert.equal(result.fault!.kind, 'divide-error');
      assert.match(report, /#DE: division by zero/);
      const bytes = m.memory.read(result.fault!.rip!, 3);
      assert.deepEqual([...bytes.subarray(0, 2)], [0x48, 0xf7], 'rip points at the div');
    },
  );
});

test('ud2 is reported as a BUG', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('undefined_instruction'),
    (report, m, result) => {
      assert.equal(result.fault!.kind, 'bug');
      assert.match(report, /ud2/);
      assert.deepEqual([...m.memory.read(result.fault!.rip!, 2)], [0x0f, 0x0b]);
    },
  );
});

test('an infinite loop ends at the instruction budget, counted exactly', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('spin', [1n], { budget: 100_000 }),
    (report, _m, result) => {
      assert.equal(result.fault!.kind, 'budget');
      assert.equal(result.instructions, 100_000);
      assert.match(report, /budget of 100000 exhausted/);
    },
  );
});

test('a wall-clock limit stops a long run', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('spin', [1n], { budget: 1e12, timeoutMs: 50 }),
    (_report, _m, result) => {
      assert.equal(result.fault!.kind, 'timeout');
    },
  );
});

test('unbounded recursion hits the stack guard page', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('recurse', [0n]),
    (report, _m, result) => {
      assert.equal(result.fault!.kind, 'page-fault');
      assert.match(report, /stack guard page of task 'main'/);
      assert.ok(result.fault!.backtrace.length > 100, 'the shadow stack shows the recursion');
      assert.match(result.fault!.backtrace[0], /^recurse/);
    },
  );
});

test('privileged instructions and jumps into unmapped or non-executable memory fault', async () => {
  await expectFaultThenRecovery(
    (m) => m.call('privileged'),
    (report, _m, result) => {
      assert.equal(result.fault!.kind, 'privileged');
      assert.match(report, /hlt/);
    },
  );
  await expectFaultThenRecovery(
    (m) => m.call('jump_to', [0x1000n]),
    (_report, _m, result) => {
      assert.equal(result.fault!.info.access, 'execute');
      assert.equal(result.fault!.rip, 0x1000n);
    },
  );
  await expectFaultThenRecovery(
    (m) => m.call('jump_to', [m.symbols.get('constant')!.address]),
    (report) => {
      assert.match(report, /execute of a page without execute permission/);
    },
  );
});

test('bytes that do not decode are #UD', async () => {
  const m = await machine();
  const page = m.allocate(4096n, 'code');
  m.memory.write(page, Uint8Array.of(0x06)); // push %es: invalid in 64-bit mode
  m.memory.protect(page, 4096n, 5);
  const result = m.call(page);
  assert.equal(faultOf(result).kind, 'invalid-opcode');
  assert.equal(m.call('ok', [1n]).rax, 3n);
});
