import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzePayloadFile } from '../../../../../server/out/checks/payload';
import type { XenRefusal } from '../../../../../server/out/checks/payload/context';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { elfOf, relocations, renameSymbol, setRelocation, setSectionField } from '../../../differential/core/elfEdit';
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
