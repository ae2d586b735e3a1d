import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestClock } from '../../../../../server/out/emulator/klp/clock';
import { Timers } from '../../../../../server/out/emulator/klp/timers';

test('jiffies start at INITIAL_JIFFIES, (unsigned int)(-300*HZ), and count HZ per guest second', () => {
  const clock = new GuestClock(250);
  assert.equal(clock.jiffies, 2n ** 32n - 75000n);
  clock.set(2_000_000_000n);
  assert.equal(clock.jiffies, 2n ** 32n - 75000n + 500n);
  clock.set(1_000_000_000n);
  assert.equal(clock.ns, 2_000_000_000n, 'time never goes back');
  assert.equal(new GuestClock(1000).initialJiffies, 2n ** 32n - 300000n);
});

test('msecs_to_jiffies rounds up; nsAtJiffies is the start of that tick', () => {
  const clock = new GuestClock(250);
  assert.equal(clock.msToJiffies(1n), 1n);
  assert.equal(clock.msToJiffies(4n), 1n);
  assert.equal(clock.msToJiffies(5n), 2n);
  assert.equal(clock.nsAtJiffies(clock.initialJiffies + 250n), 1_000_000_000n);
});

test('timers fire in time order, same-time ones in the order they were added; cancel removes one', () => {
  const timers = new Timers();
  const fired: string[] = [];
  timers.add(20n, () => fired.push('b'));
  timers.add(10n, () => fired.push('a'));
  const c = timers.add(20n, () => fired.push('c'));
  timers.add(20n, () => fired.push('d'));
  assert.equal(timers.cancel(c), true);
  assert.equal(timers.cancel(c), false);
  assert.equal(timers.next(), 10n);
  assert.equal(timers.takeDue(5n), undefined);
  for (let fn = timers.takeDue(20n); fn; fn = timers.takeDue(20n)) fn();
  assert.deepEqual(fired, ['a', 'b', 'd']);
});
