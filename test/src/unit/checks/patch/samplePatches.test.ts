import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import { targetFacts } from '../../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../../server/out/checks/facts/functionFacts';
import type { Finding } from '../../../../../server/out/checks/finding';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { fromRoot } from '../../../support/paths';
import { assertOnChangedLines, codes } from './patchCase';

const samples = fromRoot('samples');
const targetFile = path.join(samples, 'build', 'target', 'sample-target');
let index: TargetIndex;
let facts: FactsProvider;

before(async () => {
  execFileSync('make', ['-s', '-C', samples]);
  index = new TargetIndex(await buildTargetIndexData(targetFile, {}));
  facts = targetFacts(index);
});

/** The hazard each sample patch demonstrates (samples/README.md), as the check that must report it. */
const expected: Record<string, string[]> = {
  'cmdline-safe.patch': [],
  'task-struct-layout.patch': ['LP220'],
  'pick-next-task-inlined-into-schedule.patch': ['LP210', 'LP212'],
  'update-curr-partly-inlined.patch': ['LP211'],
  'proc-init.patch': ['LP214'],
};

const read = (name: string): string => readFileSync(path.join(samples, 'patches', name), 'utf8');
const serious = (findings: Finding[]): string[] => codes(findings.filter((f) => f.severity === 'error' || f.severity === 'warning'));

for (const [name, ids] of Object.entries(expected)) {
  test(`${name}: ${ids.join(', ') || 'no error or warning'}, with the target, with the source root alone, and no other error or warning`, async () => {
    const withTarget = await analyzePatch(read(name), { file: name, sourceRoot: samples, facts });
    const fromSources = await analyzePatch(read(name), { file: name, sourceRoot: samples });
    assert.deepEqual(serious(withTarget), ids, withTarget.map((f) => f.message).join('\n'));
    assert.deepEqual(serious(fromSources), ids, fromSources.map((f) => f.message).join('\n'));
    assertOnChangedLines([...withTarget, ...fromSources], read(name));
    for (const finding of withTarget) assert.doesNotMatch(finding.message, /\bmay\b|source-level/, 'target facts are exact: no "may"');
    for (const finding of fromSources.filter((f) => /^LP21[012]$/.test(f.code))) assert.match(finding.message, /\bmay\b.*source-level inference/);
  });
}

test('the callers listed for a partly inlined function are exactly the ones gcc inlined it into (DWARF), with their call sites', async () => {
  const truth = index.inlinedInto('update_curr').flatMap((i) => i.sites.map((s) => `${i.function}() at target/sched.c:${s.line}`));
  assert.ok(truth.length > 0, 'the sample target has update_curr inlined somewhere');
  for (const options of [{ facts }, {}]) {
    const findings = await analyzePatch(read('update-curr-partly-inlined.patch'), { file: 'p', sourceRoot: samples, ...options });
    const message = findings.find((f) => f.code === 'LP211')?.message ?? '';
    for (const caller of truth) assert.ok(message.includes(caller), `${caller} missing from: ${message}`);
  }
});

test("the struct layout in LP220 is the target's (DWARF size), and the one computed from the source agrees", async () => {
  const size = index.struct('task_struct')?.size;
  assert.ok(size);
  for (const options of [{ facts }, {}]) {
    const findings = await analyzePatch(read('task-struct-layout.patch'), { file: 'p', sourceRoot: samples, ...options });
    assert.match(findings.find((f) => f.code === 'LP220')?.message ?? '', new RegExp(`member \`nivcsw\` \\(unsigned long\\) added after \`nvcsw\`.*\\(${size} bytes`));
  }
});

test('without a source root, the hunks alone still see the struct change, the __init function and the always_inline helper', async () => {
  const layout = await analyzePatch(read('task-struct-layout.patch'), { file: 'p' });
  assert.deepEqual(serious(layout), ['LP220']);
  assert.deepEqual(serious(await analyzePatch(read('proc-init.patch'), { file: 'p' })), ['LP214']);
  assert.deepEqual(serious(await analyzePatch(read('pick-next-task-inlined-into-schedule.patch'), { file: 'p' })), ['LP212']);
  assert.deepEqual(serious(await analyzePatch(read('cmdline-safe.patch'), { file: 'p' })), []);
  assert.ok(codes(layout).includes('LP202'));
});
