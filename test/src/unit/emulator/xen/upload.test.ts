import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { errno, LIVEPATCH_STATE_CHECKED } from '../../../../../server/out/emulator/xen';
import { boot, callString, uploadSample } from './support/boot';
import { noXenBuildId, unknownSymbol } from './support/extraPayloads';
import { readelfBuildId, sampleBytes, samplePayload, targetPath } from './support/xenPayloads';

// XEN_SYSCTL_LIVEPATCH_UPLOAD: the refusals of livepatch-tools.md §3.4/§3.5 with their errno and
// the console line Xen prints, and that nothing a payload does at upload stops the host.

test("a payload without .livepatch.xen_depends is refused with -EINVAL and Xen's words", () => {
  const xen = boot();
  assert.equal(xen.upload('lp_no_xen_buildid', readFileSync(noXenBuildId())), -errno('EINVAL'));
  assert.equal(xen.console.log, '(XEN) livepatch: lp_no_xen_buildid: .livepatch.xen_depends is missing\n');
  assert.equal(xen.get('lp_no_xen_buildid').rc, -errno('ENOENT'));
});

test("xen_depends of another hypervisor build: Xen 4.17's one line, EINVAL", () => {
  const xen = boot({ buildId: 'ab'.repeat(20) });
  assert.equal(xen.upload('xen_nop', sampleBytes('xen_nop')), -errno('EINVAL'));
  assert.equal(xen.console.log, '(XEN) livepatch: xen_nop: check against hypervisor build-id failed\n');
});

test("the hypervisor build-id is the target's GNU build-id", () => {
  assert.equal(boot().buildId, readelfBuildId(targetPath));
});

test('duplicate names and duplicate build-ids are -EEXIST', () => {
  const xen = boot();
  uploadSample(xen, 'xen_hello_world');
  assert.equal(xen.upload('xen_hello_world', sampleBytes('xen_nop')), -errno('EEXIST'));
  assert.equal(xen.upload('again', sampleBytes('xen_hello_world')), -errno('EEXIST'));
  assert.doesNotMatch(xen.console.log, /\(XEN\).*again/, "a release build's Xen says nothing (its 'Already loaded as' is a dprintk); the emulator's own note may");
  assert.equal(readelfBuildId(samplePayload('xen_hello_world')), xen.payload('xen_hello_world')!.buildId);
});

test('an undefined symbol nobody defines is -ENOENT "Unknown symbol"', () => {
  const xen = boot();
  assert.equal(xen.upload('lp_unknown_symbol', readFileSync(unknownSymbol())), -errno('ENOENT'));
  assert.match(xen.console.log, /\(XEN\) livepatch: lp_unknown_symbol: Unknown symbol: does_not_exist\n/);
});

test('names and sizes the hypercall refuses: empty, over 2 MiB, names of 128+ characters', () => {
  const xen = boot();
  const bytes = sampleBytes('xen_nop');
  assert.equal(xen.upload('empty', new Uint8Array(0)), -errno('EINVAL'));
  assert.equal(xen.upload('huge', new Uint8Array(2 * 1024 * 1024 + 1)), -errno('EINVAL'));
  assert.equal(xen.upload('x'.repeat(128), bytes), -errno('EINVAL'));
  assert.equal(xen.upload('', bytes), -errno('EINVAL'));
  assert.equal(xen.upload('y'.repeat(127), bytes), 0);
});

test('truncated and garbled payloads are refused, and the hypervisor goes on', () => {
  const xen = boot();
  const bytes = sampleBytes('xen_hello_world');
  assert.equal(xen.upload('truncated', bytes.subarray(0, 300)), -errno('EINVAL'));
  const garbled = Buffer.from(bytes);
  garbled.writeBigUInt64LE(0xfffffffffn, 0x28);
  assert.ok(xen.upload('garbled', garbled) < 0);
  assert.equal(xen.upload('text', Buffer.from('not an ELF file at all')), -errno('EINVAL'));
  uploadSample(xen, 'xen_hello_world');
  assert.equal(xen.get('xen_hello_world').status!.state, LIVEPATCH_STATE_CHECKED);
  assert.equal(callString(xen, 'xen_extra_version'), '-unstable');
});

test('list: upload order, metadata as uploaded, a version that changes with every upload', () => {
  const xen = boot();
  const empty = xen.list();
  uploadSample(xen, 'xen_hello_world');
  uploadSample(xen, 'xen_nop');
  const listed = xen.list();
  assert.notEqual(listed.version, empty.version);
  assert.deepEqual(
    listed.payloads.map((p) => p.name),
    ['xen_hello_world', 'xen_nop'],
  );
  // xen_hello_world.c: .modinfo = "LIVEPATCH_RULEZ" with its NUL.
  assert.equal(listed.payloads[0].metadata.toString('latin1'), 'LIVEPATCH_RULEZ\0');
  assert.equal(listed.payloads[1].metadata.length, 0);
});

test('an enabled expectation longer than old_size is uploaded, and its apply is refused with -ERANGE (as real Xen 4.17 does)', () => {
  const xen = boot();
  const bytes = sampleBytes('xen_hello_world');
  const funcs = readelfSectionOffset(samplePayload('xen_hello_world'), '.livepatch.funcs');
  // old_size cut to 8: a 10-byte expectation then stays inside the old function (LP335 quiet) but is over old_size.
  bytes.writeUInt32LE(8, funcs + 28);
  bytes[funcs + 72] = 1 | (10 << 1);
  assert.equal(xen.upload('long_expect', bytes), 0);
  assert.equal(xen.action('long_expect', 'apply'), -errno('ERANGE'));
  assert.match(xen.console.log, /expectations of xen_extra_version failed \(rc=-34\), aborting!/);
});

/** readelf -SW: the file offset of a section's data. */
function readelfSectionOffset(file: string, section: string): number {
  const row = execFileSync('readelf', ['-SW', file], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.includes(` ${section} `));
  return parseInt(/\]\s+\S+\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(row!)![1], 16);
}
