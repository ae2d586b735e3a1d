import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeLimitFlags } from '../../../../server/out/cli/limitFlags';
import { configureLimits, limits, limitSpecs } from '../../../../server/out/limits';

test('--limit is taken out of the arguments wherever it stands before the first --, and sets the limit', () => {
  try {
    const rest = takeLimitFlags(['a.patch', '--limit', 'lineLength=123', '--format', 'json', '--limit=guestTimeoutMs=50', '--', '--limit', 'x']);
    assert.deepEqual(rest, ['a.patch', '--format', 'json', '--', '--limit', 'x']);
    assert.equal(limits().lineLength, 123);
    assert.equal(limits().guestTimeoutMs, 50);
    takeLimitFlags(['b.patch']);
    assert.equal(limits().lineLength, limitSpecs.lineLength.default, 'a run without --limit has the defaults');
  } finally {
    configureLimits({});
  }
});

test('--limit refuses unknown names, non-numbers and values past the ceiling, naming the limit', () => {
  assert.throws(() => takeLimitFlags(['--limit', 'nope=1']), /unknown limit 'nope'.*guestMemoryBytes/);
  assert.throws(() => takeLimitFlags(['--limit', 'lineLength=1.5']), /lineLength: '1.5' is not a positive whole number/);
  assert.throws(() => takeLimitFlags(['--limit', 'lineLength']), /lineLength: '' is not/);
  assert.throws(() => takeLimitFlags(['--limit', `guestTimeoutMs=${limitSpecs.guestTimeoutMs.ceiling + 1}`]), /above its ceiling of 600000/);
  configureLimits({});
});
