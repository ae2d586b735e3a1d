import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampLimit, configureLimits, limits, limitSpecs } from '../../../server/out/limits';

test("a user value above a limit's ceiling is clamped to the ceiling, nonsense falls back to the default", () => {
  assert.equal(clampLimit('guestTimeoutMs', 1e12), limitSpecs.guestTimeoutMs.ceiling);
  assert.equal(clampLimit('guestTimeoutMs', 2500.7), 2500);
  for (const nonsense of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, undefined]) {
    assert.equal(clampLimit('guestTimeoutMs', nonsense), limitSpecs.guestTimeoutMs.default, String(nonsense));
  }
});

test('configureLimits resets what it is not given to the defaults', () => {
  configureLimits({ lineLength: 10 });
  assert.equal(limits().lineLength, 10);
  configureLimits({});
  assert.equal(limits().lineLength, limitSpecs.lineLength.default);
  for (const spec of Object.values(limitSpecs)) assert.ok(spec.default <= spec.ceiling);
});
