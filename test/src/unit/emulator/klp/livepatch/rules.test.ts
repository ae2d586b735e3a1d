import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findObjectSymbol } from '../../../../../../server/out/emulator/klp/livepatch/findSymbol';
import { LivepatchKernel } from '../../../../../../server/out/emulator/klp/livepatch/kernelPort';
import { KlpPatch } from '../../../../../../server/out/emulator/klp/livepatch/model';
import { isPatchCompatible } from '../../../../../../server/out/emulator/klp/livepatch/states';
import { kstrtobool } from '../../../../../../server/out/emulator/klp/livepatch/sysfs';
import { roundJiffiesRelative } from '../../../../../../server/out/emulator/klp/livepatch/transition';

// The small rules of 6.1 one at a time: kallsyms lookups with old_sympos, kstrtobool, the
// retry delay (round_jiffies_relative(HZ)) and klp_is_patch_compatible().

function kallsyms(addresses: bigint[]): { kernel: LivepatchKernel; log: string[] } {
  const log: string[] = [];
  const kernel = { printk: (text: string) => log.push(text), kallsymsLookup: () => addresses } as unknown as LivepatchKernel;
  return { kernel, log };
}

test('old_sympos 0 needs a unique symbol; n picks the n-th in kallsyms order', () => {
  const one = kallsyms([0x1000n]);
  assert.deepEqual(findObjectSymbol(one.kernel, null, 'f', 0n), { address: 0x1000n });
  assert.deepEqual(findObjectSymbol(one.kernel, null, 'f', 1n), { address: 0x1000n });
  assert.deepEqual(one.log, []);

  const three = kallsyms([0x1000n, 0x2000n, 0x3000n]);
  assert.deepEqual(findObjectSymbol(three.kernel, 'mod', 'f', 2n), { address: 0x2000n });
  assert.deepEqual(findObjectSymbol(three.kernel, null, 'f', 0n), { errno: -22 });
  assert.deepEqual(findObjectSymbol(three.kernel, 'mod', 'f', 0n), { errno: -22 });
  assert.deepEqual(findObjectSymbol(three.kernel, null, 'f', 4n), { errno: -22 });
  assert.deepEqual(three.log, [
    "\x013livepatch: unresolvable ambiguity for symbol 'f' in object '(null)'\n",
    "\x013livepatch: unresolvable ambiguity for symbol 'f' in object 'mod'\n",
    "\x013livepatch: symbol position 4 for symbol 'f' in object 'vmlinux' not found\n",
  ]);

  const none = kallsyms([]);
  assert.deepEqual(findObjectSymbol(none.kernel, null, 'g', 0n), { errno: -22 });
  assert.deepEqual(none.log, ["\x013livepatch: symbol 'g' not found in symbol table\n"]);
});

test('kstrtobool accepts what 6.1 accepts', () => {
  for (const yes of ['1', 'y', 'Y', 'yes', 'true', 'T', 'on', 'ON', '1\n']) assert.equal(kstrtobool(yes), true, yes);
  for (const no of ['0', 'n', 'N', 'no', 'false', 'F', 'off', 'OfF', '0\n']) assert.equal(kstrtobool(no), false, no);
  for (const bad of ['', '2', 'enabled', 'disabled', 'o', 'ox', ' 1']) assert.equal(kstrtobool(bad), undefined, `${bad}: 'e'/'d' came after 6.1`);
});

test('retries land on a whole second: round_jiffies_relative(HZ) on CPU 0', () => {
  const HZ = 250n;
  assert.equal(roundJiffiesRelative(1000n, HZ), 250n, 'already on a second');
  assert.equal(roundJiffiesRelative(1010n, HZ), 240n, 'within HZ/4 past a second: rounded down');
  assert.equal(roundJiffiesRelative(1100n, HZ), 400n, 'further: rounded up');
  assert.equal(roundJiffiesRelative(1061n, HZ), 189n, 'just below HZ/4 (62 jiffies, integer division) past');
  assert.equal(roundJiffiesRelative(1062n, HZ), 438n, 'HZ/4 past rounds up');
});

test('klp_is_patch_compatible: cumulative patches must keep every state, versions never go down', () => {
  const mod = { name: 'm', address: 0n, livepatch: true } as never;
  const patch = (replace: boolean, states: [number, number][]) =>
    new KlpPatch(
      mod,
      0n,
      replace,
      states.map(([id, version]) => ({ id: BigInt(id), version, address: 0n })),
    );
  const installed = [patch(false, [[1, 2]])];
  assert.equal(isPatchCompatible(patch(false, []), installed), true, 'a non-cumulative patch may ignore a state');
  assert.equal(isPatchCompatible(patch(true, []), installed), false, 'a cumulative one must carry it');
  assert.equal(isPatchCompatible(patch(true, [[1, 2]]), installed), true);
  assert.equal(isPatchCompatible(patch(false, [[1, 3]]), installed), true);
  assert.equal(isPatchCompatible(patch(false, [[1, 1]]), installed), false);
  assert.equal(isPatchCompatible(patch(true, [[2, 1]]), installed), false, 'another state does not count');
});
