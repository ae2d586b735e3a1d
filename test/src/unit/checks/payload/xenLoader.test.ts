import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../../../server/out/checks';
import { analyzePayloadFile } from '../../../../../server/out/checks/payload';
import type { XenRefusal } from '../../../../../server/out/checks/payload/context';
import { SHF, SHT } from '../../../../../server/out/elf';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { addSection, elfOf, relocations, renameSymbol, setRelocation, setSectionField } from '../../../differential/core/elfEdit';
import { buildSamples, targetPath } from '../../samples/binutils';
import { buildDir } from '../../payload/build';
import { sampleBytes, xenSample } from '../../payload/payloadBytes';
import { assertFires } from './assertFires';

// LP341: Xen's own walk of a payload's bytes (checks/payload/xenLoader.ts), in its order: what it
// refuses that no other check names, and what it faults on. Judged against the real Xen by the
// differential (docs/differential.md); here, that it speaks when and only when it should.
let target: TargetIndex;
before(async () => {
  buildSamples();
  mkdirSync(buildDir, { recursive: true });
  target = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
});

const analyze = (bytes: Buffer, name: string) => {
  const file = path.join(buildDir, `${name}.livepatch`);
  writeFileSync(file, bytes);
  return analyzePayloadFile(file, { target }).findings;
};
const hello = () => sampleBytes(xenSample('xen_hello_world'));

test('LP341 is quiet on the sample payloads', () => {
  for (const name of ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop', 'xen_prepost_hooks'])
    assert.deepEqual(
      analyze(sampleBytes(xenSample(name)), name).filter((f) => f.code === 'LP341'),
      [],
      name,
    );
});

test("LP341: a local symbol named like the hypervisor's printk is Xen's 'duplicate new symbol' (EEXIST), first", () => {
  const bytes = hello();
  const local = elfOf(bytes)
    .symbols()
    .find((s) => s.name === 'hello_world_patch_this_fnc')!;
  const findings = analyze(renameSymbol(bytes, local.index, 'printk'), 'lp341_dup');
  const hit = assertFires(findings, 'LP341', 'livepatch: lp341_dup: duplicate new symbol: printk');
  assert.equal((hit.data as XenRefusal).errno, 'EEXIST');
  assert.equal(findings[0], hit, 'the refusal Xen makes first comes first');
});

test('LP341: an empty .modinfo is read at NULL - 1 by Xen 4.17: a fault, not a refusal', () => {
  const bytes = hello();
  const findings = analyze(setSectionField(bytes, elfOf(bytes).section('.modinfo')!.index, 'size', 0n), 'lp341_modinfo');
  const hit = assertFires(findings, 'LP341', 'faults on it', '.modinfo is empty');
  assert.equal(hit.data, undefined, 'no errno: the upload never returns');
});

test('LP341 gives way to the check that already says what Xen says (LP340 for an unhandled relocation)', () => {
  const bytes = hello();
  const r = relocations(bytes).find((x) => x.rela === '.rela.text.hi_func')!;
  const findings = analyze(setRelocation(bytes, r, { type: 11 }), 'lp341_32s');
  assert.equal(findings[0].code, 'LP340');
  assert.equal(findings.filter((f) => f.code === 'LP341').length, 0);
});

/** The findings that say Xen refuses the upload: one refusal must give one of them. */
const uploadRefusals = (findings: Finding[]) => findings.filter((f) => (f.data as XenRefusal | undefined)?.errno && (f.data as XenRefusal).stage !== 'apply');
const withHook = (hook: string, data: Buffer) => addSection(hello(), { name: `.livepatch.hooks.${hook}`, type: SHT.PROGBITS, flags: SHF.ALLOC, data, addralign: 8n }).bytes;

test("one refusal, one diagnostic: LP306's old_size 0, with the function's name in front of Xen's line, is taken into LP341's", () => {
  const bytes = hello();
  bytes.writeUInt32LE(0, Number(elfOf(bytes).section('.livepatch.funcs')!.offset) + 28);
  const findings = analyze(bytes, 'lp341_size');
  const hit = assertFires(findings, 'LP341', 'Xen says "livepatch: lp341_size: Address or size fields are zero" (-EINVAL)');
  assert.deepEqual(uploadRefusals(findings), [hit], 'one finding says Xen refuses it');
  assert.deepEqual(
    findings.filter((f) => f.code === 'LP306'),
    [],
    'LP306 does not say it a second time',
  );
  assert.match(hit.related?.[0]?.message ?? '', /^LP306: .*old_size is 0/, "LP306's words are kept as related information");
});

test("one refusal, one diagnostic: LP311's empty hook section, where it says Xen prints nothing, is Xen's '... is empty'", () => {
  const findings = analyze(withHook('postapply', Buffer.alloc(0)), 'lp341_hook');
  const hit = assertFires(findings, 'LP341', 'livepatch: lp341_hook: .livepatch.hooks.postapply is empty');
  assert.deepEqual(uploadRefusals(findings), [hit]);
  assert.deepEqual(
    findings.filter((f) => f.code === 'LP311'),
    [],
  );
  assert.match(hit.related?.[0]?.message ?? '', /^LP311: \.livepatch\.hooks\.postapply: /);
});

test('LP311 keeps its own id where it says what Xen says (two pointers in a single hook: EINVAL, no line): LP341 stays quiet', () => {
  const findings = analyze(withHook('postapply', Buffer.alloc(16)), 'lp341_two');
  const hit = assertFires(findings, 'LP311', '16 bytes');
  assert.deepEqual(uploadRefusals(findings), [hit]);
  assert.equal(findings[0], hit);
  assert.equal(findings.filter((f) => f.code === 'LP341').length, 0);
});
