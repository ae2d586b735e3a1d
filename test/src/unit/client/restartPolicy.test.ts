import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartPolicy } from '../../../../client/out/restartPolicy';

const clock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

test('a server that keeps dying is restarted 5 times within 3 minutes, then given up on', () => {
  const time = clock();
  const policy = new RestartPolicy(5, 180_000, time.now);
  const decisions = Array.from({ length: 6 }, () => {
    time.advance(1000);
    return policy.onCrash();
  });
  assert.deepEqual(decisions, [...[1, 2, 3, 4, 5].map((restarts) => ({ restart: true, restarts })), { restart: false, crashes: 6 }]);
});

test('crashes older than the window are forgiven, so an occasional fault never exhausts the restarts', () => {
  const time = clock();
  const policy = new RestartPolicy(5, 180_000, time.now);
  for (let i = 0; i < 20; i++) {
    time.advance(60_000);
    assert.equal(policy.onCrash().restart, true, `crash ${i + 1}, a minute after the previous one`);
  }
  // Once the window has passed, five quick crashes are restarted and the sixth is one too many.
  time.advance(180_000);
  for (let i = 0; i < 5; i++) {
    time.advance(1);
    assert.equal(policy.onCrash().restart, true, `quick crash ${i + 1}`);
  }
  assert.deepEqual(policy.onCrash(), { restart: false, crashes: 6 });
});

test('a restart by the user starts the count again', () => {
  const time = clock();
  const policy = new RestartPolicy(2, 180_000, time.now);
  policy.onCrash();
  policy.onCrash();
  assert.equal(policy.onCrash().restart, false);
  policy.reset();
  assert.deepEqual(policy.onCrash(), { restart: true, restarts: 1 });
});
