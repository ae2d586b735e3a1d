import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOpenedPayload } from '../../../../../server/out/checks/payload';
import { openPayload } from '../../../../../server/out/payload';
import { replacingPayload, samplePayload } from '../../emulator/xen/support/xenPayloads';
import { buildSamples } from '../../samples/binutils';
import { assertFires } from './assertFires';

// LP370: a WARN, BUG or ASSERT in the replacement of a function Xen's register dump calls for its
// banner recurses until Xen double-faults (what Debian's Xen 4.17 did in QEMU with such a payload).

const replacing = (name: string, old: string, statement: string): string => replacingPayload(name, old, statement, 'unsigned int lp_other(void) { WARN(); return 1; }');

const lp370 = (file: string) => checkOpenedPayload(openPayload(file), {}).filter((f) => f.code === 'LP370');

test('LP370 fires for a WARN, a BUG or an ASSERT in the replacement of xen_minor_version, naming the function and the double fault', () => {
  buildSamples();
  for (const [name, statement, kind] of [
    ['lp370_warn', 'WARN()', 'WARN'],
    ['lp370_bug', 'if (xen_major_version() == 99) BUG()', 'BUG'],
    ['lp370_assert', 'ASSERT(xen_major_version() != 99)', 'ASSERT'],
  ] as const) {
    const all = checkOpenedPayload(openPayload(replacing(name, 'xen_minor_version', statement)), {});
    const hit = assertFires(all, 'LP370', `${kind} at .text.lp_replacement+0x`, 'is inside lp_replacement, the replacement of xen_minor_version()', 'double-faults');
    assert.equal(all.filter((f) => f.code === 'LP370').length, 1, name);
    assert.equal(hit.severity, 'error');
  }
});

test('LP370 stays quiet for a WARN outside the replacement (a load hook, another function) or in the replacement of a function the dump does not call', () => {
  buildSamples();
  assert.deepEqual(lp370(samplePayload('xen_warn')), [], 'xen_warn patches xen_minor_version but warns in its load hook');
  assert.deepEqual(lp370(replacing('lp370_quiet_other', 'xen_minor_version', 'lp_other()')), [], 'the WARN is in lp_other, called by, not inside, the replacement');
  assert.deepEqual(lp370(replacing('lp370_quiet_mce', 'do_machine_check', 'WARN()')), []);
});
