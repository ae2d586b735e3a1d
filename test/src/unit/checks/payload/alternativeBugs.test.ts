import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkOpenedPayload } from '../../../../../server/out/checks/payload';
import { openPayload } from '../../../../../server/out/payload';
import { samplePayload } from '../../emulator/xen/support/xenPayloads';
import { sectionData } from '../../payload/payloadBytes';
import { buildSamples } from '../../samples/binutils';
import { assertFires } from './assertFires';

// LP371: an .altinstructions entry that trips a BUG_ON() of Xen 4.17's _apply_alternatives() at
// upload (the emulator's panic and the real Xen's are in test/src/unit/emulator/xen/fatalTraps
// and machines/realXenExceptions). The lengths are readelf's of the payload's own sections.

const lp371 = (file: string) => checkOpenedPayload(openPayload(file), {}).filter((f) => f.code === 'LP371');

/** xen_alternative with bytes of its first struct alt_instr set: [offset in the entry, value, width]. */
function edited(name: string, edits: [number, number, 1 | 2][]): string {
  const bytes = readFileSync(samplePayload('xen_alternative'));
  const { offset } = sectionData(bytes, '.altinstructions');
  for (const [at, value, width] of edits) (width === 2 ? bytes.writeUInt16LE.bind(bytes) : bytes.writeUInt8.bind(bytes))(value, offset + at);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lp371-')), `${name}.livepatch`);
  writeFileSync(file, bytes);
  return file;
}

/** A section's size, as readelf -SW gives it. */
const readelfSize = (file: string, section: string): number =>
  Number.parseInt(new RegExp(`\\${section}\\s+PROGBITS\\s+\\S+\\s+\\S+\\s+([0-9a-f]+)`).exec(execFileSync('readelf', ['-SW', file], { encoding: 'utf8' }))![1], 16);

test('LP371 fires for a replacement longer than its site (the sample xen_bad_alternative), with the BUG line Xen prints', () => {
  buildSamples();
  const file = samplePayload('xen_bad_alternative');
  const replacement = readelfSize(file, '.altinstr_replacement');
  const hit = assertFires(
    checkOpenedPayload(openPayload(file), {}),
    'LP371',
    `its replacement is ${replacement} bytes`,
    'BUG_ON(a->repl_len > total_len)',
    '`Xen BUG at arch/x86/alternative.c:258`',
  );
  assert.equal(hit.severity, 'error');
  assert.equal(hit.data, undefined, 'Xen does not refuse it: no errno, the upload goes on into the BUG');
});

test('LP371 fires for orig_len + pad_len over 254 bytes and for a feature number past the last, each with its own line', () => {
  buildSamples();
  assertFires(checkOpenedPayload(openPayload(edited('lp371_total', [[12, 253, 1]])), {}), 'LP371', 'more than the 254-byte buffer', 'alternative.c:259');
  assertFires(checkOpenedPayload(openPayload(edited('lp371_cpuid', [[8, 21 * 32, 2]])), {}), 'LP371', 'feature number 672', 'alternative.c:260');
});

test('LP371 stays quiet for the ALTERNATIVE() macros (xen_alternative) and for the last feature number', () => {
  buildSamples();
  assert.deepEqual(lp371(samplePayload('xen_alternative')), []);
  assert.deepEqual(lp371(edited('lp371_cpuid_ok', [[8, 21 * 32 - 1, 2]])), []);
  assert.deepEqual(lp371(edited('lp371_total_ok', [[12, 252, 1]])), [], '2 + 252 bytes is the buffer exactly');
});
