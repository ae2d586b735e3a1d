import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBlock, LineIndex } from '../../../../server/out/diff/blockSearch';
import { prng } from './oracle';

/** What GNU patch's loop does, offset by offset: +0, +1, -1, +2, -2, ... within [from, upTo]. */
function bruteForce(lines: string[], block: string[], wanted: number, from: number, upTo: number): number {
  const last = Math.min(upTo, lines.length - block.length);
  const fits = (at: number) => at >= Math.max(0, from) && at <= last && block.every((l, i) => lines[at + i] === l);
  for (let offset = 0; offset <= lines.length + Math.abs(wanted); offset++) {
    if (fits(wanted + offset)) return wanted + offset;
    if (offset && fits(wanted - offset)) return wanted - offset;
  }
  return -1;
}

test('the line index and the KMP scan find the block GNU patch would, offset by offset: common lines (the scan) and rare ones (the index)', () => {
  const random = prng(5);
  let indexed = 0;
  for (let round = 0; round < 3000; round++) {
    const alphabet = 1 + Math.floor(random() * 6);
    const lines = Array.from({ length: Math.floor(random() * 60) }, () => `l${Math.floor(random() * alphabet)}`);
    const block = Array.from({ length: Math.floor(random() * 5) }, () => `l${Math.floor(random() * (alphabet + 1))}`);
    const wanted = Math.floor(random() * 80) - 10;
    const from = Math.floor(random() * 20) - 5;
    const upTo = random() < 0.5 ? Infinity : Math.floor(random() * 70);
    const expected = bruteForce(lines, block, wanted, from, upTo);
    assert.equal(findBlock(lines, block, wanted, from, upTo), expected, JSON.stringify({ lines, block, wanted, from, upTo }));
    assert.equal(new LineIndex(lines).find(block, wanted, from, upTo), expected, JSON.stringify({ lines, block, wanted, from, upTo }));
    if (block.length && alphabet > 4) indexed++;
  }
  assert.ok(indexed > 100);
});
