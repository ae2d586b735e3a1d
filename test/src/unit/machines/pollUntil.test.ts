import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../../../../server/out/machines/pollUntil';

// The one deadline loop of the QEMU plumbing (the QMP socket, a migration, an incoming state).

test('pollUntil returns the first value an attempt gives, trying again every pollMs', async () => {
  let tries = 0;
  const start = performance.now();
  const value = await pollUntil(
    5_000,
    () => Promise.resolve(++tries === 3 ? 'ready' : undefined),
    () => new Error('late'),
    20,
  );
  assert.equal(value, 'ready');
  assert.equal(tries, 3);
  assert.ok(performance.now() - start >= 35, 'two waits of 20 ms between the three tries');
});

test('pollUntil throws what late() makes once a try past the deadline gives nothing, and not before', async () => {
  let tries = 0;
  const start = performance.now();
  await assert.rejects(
    pollUntil(
      100,
      () => {
        tries++;
        return Promise.resolve(undefined);
      },
      () => new Error(`late after ${tries} tries`),
      10,
    ),
    /late after \d+ tries/,
  );
  assert.ok(performance.now() - start >= 100, 'not before the deadline');
  assert.ok(tries >= 2, 'tried again before giving up');
});

test("an attempt's own error ends the wait at once, without waiting for the deadline", async () => {
  const start = performance.now();
  await assert.rejects(
    pollUntil(
      10_000,
      () => Promise.reject(new Error('QEMU says shutdown')),
      () => new Error('late'),
    ),
    /QEMU says shutdown/,
  );
  assert.ok(performance.now() - start < 5_000);
});
