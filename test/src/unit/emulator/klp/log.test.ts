import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestClock } from '../../../../../server/out/emulator/klp/clock';
import { KernelLog } from '../../../../../server/out/emulator/klp/log';

// The kernel log ring: dmesg's "[%5lu.%06lu] " stamps from guest time, KERN_* levels, one record
// per line, KERN_CONT continuing an open line, and dmesg's "new lines" / -c semantics.

test('stamps are guest seconds, 5 columns wide, and microseconds (dmesg format)', () => {
  const clock = new GuestClock(250);
  const log = new KernelLog(clock);
  log.printk('first\n');
  clock.set(1_500_000_000n);
  log.printk('second\n');
  clock.set(123_456_789_012n);
  log.printk('third\n');
  assert.deepEqual(log.since(0), ['[    0.000000] first', '[    1.500000] second', '[  123.456789] third']);
});

test('KERN_* prefixes set the level and are not printed; the default level is 4', () => {
  const log = new KernelLog(new GuestClock(250));
  log.printk('\x016info line\n');
  log.printk('no level\n');
  log.printk('\x013error line\n');
  assert.deepEqual(
    log.entries().map((r) => [r.level, r.text]),
    [
      [6, 'info line'],
      [4, 'no level'],
      [3, 'error line'],
    ],
  );
  assert.deepEqual(log.readNew({ raw: true }), ['<6>[    0.000000] info line', '<4>[    0.000000] no level', '<3>[    0.000000] error line']);
});

test('a line without newline is continued by KERN_CONT and closed by any other printk', () => {
  const log = new KernelLog(new GuestClock(250));
  log.printk('\x016a');
  log.printk('\x01cb\n');
  log.printk('open');
  log.printk('\x016next\nand more\n');
  assert.deepEqual(
    log.entries().map((r) => r.text),
    ['ab', 'open', 'next', 'and more'],
  );
});

test('dmesg shows the lines since the previous dmesg; -c clears the ring; mark/since see only later lines', () => {
  const log = new KernelLog(new GuestClock(250));
  log.printk('one\n');
  assert.deepEqual(log.readNew(), ['[    0.000000] one']);
  const mark = log.mark();
  log.printk('two\n');
  assert.deepEqual(log.readNew({ clear: true }), ['[    0.000000] two']);
  assert.deepEqual(log.since(mark), []);
  assert.deepEqual(log.entries(), []);
  log.printk('three\n');
  assert.deepEqual(log.since(mark), ['[    0.000000] three']);
});
