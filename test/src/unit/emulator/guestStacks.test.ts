import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, GuestStacks } from '../../../../server/out/emulator/tasks';

// Which shadow call stack %rsp selects: each stack owns (low, high], so an empty stack (rsp at
// its top, a new task's first instruction) is its own and not the one above it.

test('a stack holds (low, high]; a gap between stacks has no frames but bounds that skip the lookup', () => {
  const stacks = new GuestStacks();
  const a = stacks.add(0x1000n, 0x2000n);
  const b = stacks.add(0x2000n, 0x3000n);
  a.push(new Frame(1, 0, 2, 0, 0x1ff8, 0));
  assert.equal(stacks.find(0x2000).frames, a, 'the top of a is a, not b');
  assert.equal(stacks.find(0x1001).frames, a);
  assert.equal(stacks.find(0x2001).frames, b);
  assert.equal(stacks.find(0x1000).frames, undefined, 'low itself belongs below');
  const gap = stacks.find(0x5000);
  assert.deepEqual([gap.low, gap.high, gap.frames], [0x3000, Infinity, undefined]);
  assert.equal(stacks.framesAt(0x1800n), a);
  assert.equal(stacks.framesAt(0x1800n)![0].target, 1n);
});

test('kernel-space stacks compare correctly as signed doubles', () => {
  const stacks = new GuestStacks();
  const low = 0xffffffff81006530n;
  const frames = stacks.add(low, low + 0x2000n);
  assert.equal(stacks.framesAt(low + 0x1000n), frames);
  assert.equal(stacks.framesAt(low + 0x2001n), undefined);
  assert.equal(stacks.framesAt(0xffffc90000001000n), undefined);
});
