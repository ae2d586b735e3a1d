import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOpenedPayload } from '../../../../../server/out/checks/payload';
import { ElfError } from '../../../../../server/out/elf';
import { decodePayloadBytes, openPayload } from '../../../../../server/out/payload';
import { buildSamples } from '../../samples/binutils';
import { klpSample, sampleBytes, xenSample } from '../../payload/payloadBytes';

const samples = [xenSample('xen_hello_world'), xenSample('xen_prepost_hooks'), klpSample()];

/** Decoding and checking must end in findings or an ElfError, never in another exception. */
function survives(bytes: Buffer, name: string): { error?: ElfError; codes: string[] } {
  const opened = decodePayloadBytes(bytes, name);
  if (opened.error) assert.ok(opened.error instanceof ElfError);
  const findings = checkOpenedPayload(opened);
  return { ...(opened.error ? { error: opened.error } : {}), codes: findings.map((f) => f.code) };
}

before(() => buildSamples());

test('every truncation of a payload gives a clear error naming the file, never an exception', () => {
  for (const file of samples) {
    const whole = sampleBytes(file);
    const name = file.split('/').pop()!;
    for (let length = 0; length < whole.length; length += length < 128 ? 1 : 97) {
      const result = survives(whole.subarray(0, length), name);
      assert.ok(result.error, `${name} cut to ${length} bytes must be reported`);
      assert.ok(result.error.message.startsWith(name), `the error names the file: ${result.error.message}`);
      assert.ok(result.codes.includes('LP302'), `${name} cut to ${length}: LP302 carries the error`);
    }
  }
});

test('random corruption of headers and tables ends in findings or an ElfError, quickly', () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const started = Date.now();
  for (const file of samples) {
    const whole = sampleBytes(file);
    const name = file.split('/').pop()!;
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(whole);
      // Section headers and symbol tables are where lying offsets and huge counts come from.
      for (let i = 0; i < 8; i++) {
        const at = random() < 0.5 ? Math.floor(bytes.length - 1 - random() * Math.min(bytes.length - 1, 64 * 50)) : Math.floor(random() * bytes.length);
        bytes[at] = Math.floor(random() * 256);
      }
      survives(bytes, name);
    }
  }
  assert.ok(Date.now() - started < 20000, 'corrupted payloads are judged quickly (no hang)');
});

test('a missing file is reported as an error, not thrown', () => {
  const opened = openPayload('/nonexistent/payload.livepatch');
  assert.match(opened.error?.message ?? '', /ENOENT/);
  assert.deepEqual(
    checkOpenedPayload(opened).map((f) => f.code),
    ['LP302'],
  );
});
