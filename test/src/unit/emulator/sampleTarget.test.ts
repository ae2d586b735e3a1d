import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Machine } from '../../../../server/out/emulator';
import { fromRoot } from '../../support/paths';

// The bundled sample target runs in the emulator: its functions return what the C says, and its
// boot (three kernel threads switching stacks for real) prints what the native build prints.

const target = fromRoot('samples', 'build', 'target', 'sample-target');
const nativeTarget = fromRoot('samples', 'build', 'native', 'sample-target-native');

function machine(): Machine {
  assert.ok(existsSync(target), `${target} is not built: run \`npm run samples\``);
  const m = new Machine();
  m.loadTarget(target);
  return m;
}

test('xen_extra_version returns "-unstable"', () => {
  const m = machine();
  const result = m.call('xen_extra_version');
  assert.equal(result.status, 'returned');
  assert.equal(m.memory.readCString(result.rax), '-unstable');
  assert.equal(m.call('xen_major_version').rax, 4n);
  assert.equal(m.call('xen_minor_version').rax, 21n);
});

test('start_kernel returns and prints what the native build of the same sources prints', () => {
  assert.ok(existsSync(nativeTarget), `${nativeTarget} is not built: run \`npm run samples\``);
  const [first, ...console] = execFileSync(nativeTarget, { encoding: 'latin1' }).split('\n');
  const m = machine();
  const result = m.call('start_kernel');
  assert.equal(result.status, 'returned', result.fault?.report());
  assert.equal(result.rax, BigInt(first));
  assert.equal(result.output, console.join('\n'));
});
