import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkOpenedPayload } from '../../../../../server/out/checks/payload';
import type { Finding } from '../../../../../server/out/checks';
import { decodePayloadBytes } from '../../../../../server/out/payload';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { buildSamples, run, targetPath } from '../../samples/binutils';
import { assemble, buildDir } from '../../payload/build';
import { sampleBytes, sectionData, xenSample } from '../../payload/payloadBytes';
import { assertFires } from './assertFires';

// struct livepatch_func (version 2): name 0, new_addr 8, old_addr 16, new_size 24, old_size 28.
const field = { oldAddr: 16, newSize: 24, oldSize: 28 };

/**
 * A hypervisor-like image (Xen's `__start_xen`, CONFIG_XEN_IBT's `opt_xen_ibt`) whose functions are
 * made for the patch-site checks: a loop back into the bytes Xen's jmp overwrites, one just past
 * them behind an ENDBR64, and an ENDBR64 function a NOP-out must skip.
 */
const xenLike = `
  .text
  .globl __start_xen, xen_extra_version, xen_major_version, xen_minor_version
  .type __start_xen,@function
__start_xen: ret
  .size __start_xen, .-__start_xen
  .type xen_extra_version,@function
xen_extra_version:
  xor %eax,%eax
1: inc %eax
  cmp $10,%eax
  jne 1b
  ret
  .size xen_extra_version, .-xen_extra_version
  .type xen_major_version,@function
xen_major_version:
  endbr64
  mov $4,%eax
1: dec %eax
  jnz 1b
  ret
  .size xen_major_version, .-xen_major_version
  .type xen_minor_version,@function
xen_minor_version:
  endbr64
  mov $0x11,%eax
  ret
  .size xen_minor_version, .-xen_minor_version
  .data
  .type opt_xen_ibt,@object
opt_xen_ibt: .byte 1
  .size opt_xen_ibt, 1
`;

let sample: TargetIndex;
let xen: TargetIndex;
const codes = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.code))].sort();
const check = (bytes: Buffer, target: TargetIndex): Finding[] => checkOpenedPayload(decodePayloadBytes(bytes, 'p.livepatch'), { target });

/** The sample NOP-out payload with its entry rewritten: old_addr 0 (found by .name), sizes as given. */
function nopOut(newSize: number, oldSize?: number, byName = false): Buffer {
  const bytes = sampleBytes(xenSample('xen_nop'));
  const at = sectionData(bytes, '.livepatch.funcs').offset;
  bytes.writeUInt32LE(newSize, at + field.newSize);
  if (oldSize !== undefined) bytes.writeUInt32LE(oldSize, at + field.oldSize);
  if (byName) bytes.writeBigUInt64LE(0n, at + field.oldAddr);
  return bytes;
}

/** The offset of the last instruction of `fn`, as objdump decodes it: the oracle for "the way out". */
function lastInstructionOffset(elf: string, fn: string): number {
  const lines = run('objdump', ['-d', `--disassemble=${fn}`, elf]).split('\n');
  const addresses = lines.flatMap((l) => /^\s*([0-9a-f]+):\s/.exec(l)?.[1] ?? []).map((a) => BigInt(`0x${a}`));
  return Number(addresses[addresses.length - 1] - addresses[0]);
}

before(async () => {
  buildSamples();
  sample = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
  const object = assemble('xen-like', xenLike);
  const image = path.join(buildDir, 'xen-like-syms');
  run('ld', ['--build-id=sha1', '-e', '__start_xen', '-Ttext=0xffff82d040200000', '-o', image, object]);
  xen = new TargetIndex(await buildTargetIndexData(image, { dwarfWorkers: 1 }));
});

test('the sample xen_nop NOPs exactly what comes before the ret objdump finds, and LP338 stays quiet', () => {
  const at = sectionData(sampleBytes(xenSample('xen_nop')), '.livepatch.funcs').offset;
  assert.equal(sampleBytes(xenSample('xen_nop')).readUInt32LE(at + field.newSize), lastInstructionOffset(targetPath, 'xen_minor_version'));
  assert.deepEqual(codes(check(sampleBytes(xenSample('xen_nop')), sample)), []);
  for (const name of ['xen_hello_world', 'xen_bye_world', 'xen_replace_world']) assert.deepEqual(codes(check(sampleBytes(xenSample(name)), sample)), [], name);
});

test('LP338: on the sample target, a NOP-out ending inside the mov, or over the ret, fires and lists the instructions', () => {
  const cut = assertFires(check(nopOut(9), sample), 'LP338', 'inside `mov $0x15,%eax`');
  assert.match(cut.message, /end at \+9, inside `mov \$0x15,%eax` \(\+5, 5 bytes\)/);
  assert.match(cut.message, /\+0 \(5 bytes\) call .*__fentry__.*; \+5 \(5 bytes\) mov \$0x15,%eax; \+10 \(1 bytes\) ret/);
  assert.match(cut.message, /new_size 5 here/, 'the NOPs that keep whole instructions and the way out, nearest below');
  const whole = check(nopOut(11), sample).find((f) => f.code === 'LP338');
  assert.match(whole?.message ?? '', /no ret or jmp is left after them \(they overwrite `ret`\)/);
  assert.deepEqual(codes(check(nopOut(5), sample)), [], 'NOPing the fentry call alone keeps whole instructions');
  assert.deepEqual(codes(check(nopOut(9), new TargetIndex({ ...sample.tables }))), ['LP338'], 'the same from a copy of the index (facts only, code read from the ELF)');
});

test('LP338 past an ENDBR64: Xen writes the NOPs after it, so 5 bytes NOP the mov and keep the ret', () => {
  assert.equal(xen.symbol('xen_minor_version')?.endbr, true);
  const fires = (newSize: number) => codes(check(nopOut(newSize, 10, true), xen)).includes('LP338');
  assert.equal(fires(5), false, '+4..+9 is the mov');
  assert.equal(fires(3), true, '+4..+7 ends inside the mov');
  assert.equal(fires(6), true, '+4..+10 overwrites the ret');
});

test('LP339: the jmp over a branch target fires; a branch just past the jmp, behind ENDBR64, does not', () => {
  // xen_extra_version loops back to +2, inside the jmp written at +0..+4.
  const hit = assertFires(check(sampleBytes(xenSample('xen_hello_world')), xen), 'LP339', 'branches to +2');
  assert.match(hit.message, /`jne [0-9a-f]+ <xen_extra_version\+0x2>` at \+7 branches to \+2/);
  assert.match(hit.message, /\+0 \(2 bytes\) xor %eax,%eax; \+2 \(2 bytes\) inc %eax/);
  // xen_major_version: ENDBR64 (+0..+3), the jmp at +4..+8, the loop back to +9.
  assert.ok(!codes(check(sampleBytes(xenSample('xen_prepost_hooks')), xen)).includes('LP339'));
  assert.ok(!codes(check(sampleBytes(xenSample('xen_hello_world')), sample)).includes('LP339'), 'the sample target has no such branch');
});

test('flavour: the generated hypervisor is Xen with CONFIG_XEN_IBT, the sample target either', () => {
  assert.deepEqual(xen.flavour, { flavour: 'xen', xenIbt: true });
  assert.deepEqual(sample.flavour, { flavour: 'either', xenIbt: false });
});
