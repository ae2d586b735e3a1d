import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import { targetFacts } from '../../../../../server/out/checks/facts/targetFacts';
import type { Finding } from '../../../../../server/out/checks/finding';
import { loadTargetIndex } from '../../../../../server/out/target';
import { exportingTarget } from '../../payload/moduleLoaderFixtures';
import { run as binutils } from '../../samples/binutils';
import { check, codes, kpatchTree, makePatch, once, type Edits } from './patchCase';

const example = 'kernel/example.c';
const crcFindings = (findings: Finding[]): Finding[] => findings.filter((f) => f.code === 'LP242');
const run = async (edits: Edits): Promise<{ findings: Finding[]; patch: string }> => check(edits, true, kpatchTree);

const statsMember = once('\tunsigned long misses;\n', '\tunsigned long misses;\n\tunsigned long resets;\n');
const newInclude = once('#include <linux/printk.h>\n', '#include <linux/printk.h>\n#include <linux/slab.h>\n');

test('LP242: a struct change in a file with EXPORT_SYMBOL names the exports whose declaration reaches it, and why', async () => {
  const { findings, patch } = await run({ [example]: statsMember });
  const [hit] = crcFindings(findings);
  assert.ok(hit, `${codes(findings).join(', ')}\n${patch}`);
  assert.equal(hit.severity, 'error');
  assert.match(hit.message, /struct example_stats changes in kernel\/example\.c/);
  assert.match(hit.message, /the CRC of example_open, example_check \(through struct example_dev, which contains struct example_stats\) changes/);
  assert.doesNotMatch(hit.message, /exported_func/, 'its prototype int(int) does not reach the struct');
  assert.match(hit.message, /ERROR: Version disagreement for symbol example_open/);
  assert.match(hit.message, /#ifndef __GENKSYMS__/);
  assert.match(hit.message, /CONFIG_MODVERSIONS is assumed/);
  assert.match(patch.split('\n')[hit.range.start.line], /^\+\tunsigned long resets;/);
  assert.ok(codes(findings).includes('LP220'), 'the layout change itself is LP220');
});

test('LP242: an added #include puts the CRC of every export of the file at risk, and says how to wrap it', async () => {
  const { findings, patch } = await run({ [example]: newInclude });
  const [hit] = crcFindings(findings);
  assert.ok(hit, patch);
  assert.match(hit.message, /adds `#include <linux\/slab\.h>` in kernel\/example\.c, which exports 3 symbol\(s\)/);
  assert.match(hit.message, /: example_open, example_check, exported_func\./);
  assert.match(hit.message, /`#ifndef __GENKSYMS__` \.\.\. `#endif`/);
  assert.match(patch.split('\n')[hit.range.start.line], /^\+#include <linux\/slab\.h>/);
});

test('LP242 sees a struct member added inside #ifdef CONFIG_*, where genksyms sees it too', async () => {
  const { findings, patch } = await run({
    [example]: once('\tunsigned long misses;\n', '\tunsigned long misses;\n#ifdef CONFIG_EXAMPLE_DEBUG\n\tunsigned long resets;\n#endif\n'),
  });
  assert.match(crcFindings(findings)[0]?.message ?? '', /struct example_stats changes .* example_open/, patch);
});

const quiet: Array<{ what: string; edits: Edits }> = [
  {
    what: 'the same #include wrapped in #ifndef __GENKSYMS__',
    edits: { [example]: once('#include <linux/printk.h>\n', '#include <linux/printk.h>\n#ifndef __GENKSYMS__\n#include <linux/slab.h>\n#endif\n') },
  },
  {
    what: 'the struct change wrapped in #ifndef __GENKSYMS__',
    edits: { [example]: once('\tunsigned long misses;\n', '\tunsigned long misses;\n#ifndef __GENKSYMS__\n\tunsigned long resets;\n#endif\n') },
  },
  { what: 'a change to a struct no exported declaration reaches', edits: { [example]: once('\tint slots;\n', '\tint slots;\n\tint spare;\n') } },
  {
    what: 'includes only reordered',
    edits: { [example]: once('#include <linux/export.h>\n#include <linux/printk.h>\n', '#include <linux/printk.h>\n#include <linux/export.h>\n') },
  },
  { what: 'a comment on a struct member', edits: { [example]: once('\tunsigned long misses;\n', '\tunsigned long misses; /* lookups that failed */\n') } },
  { what: 'a change inside an exported function body', edits: { [example]: once('return -22;', 'return -EINVAL;') } },
];

for (const { what, edits } of quiet) {
  test(`LP242 stays quiet on ${what}`, async () => {
    const { findings, patch } = await run(edits);
    assert.deepEqual(crcFindings(findings), [], patch);
  });
}

test('LP242 stays quiet in a file that exports nothing (the struct change is LP220 alone)', async () => {
  const { findings } = await check({ 'include/widget.h': once('\tchar kind;\n', '\tchar kind;\n\tchar flags;\n') });
  assert.ok(codes(findings).includes('LP220'));
  assert.deepEqual(crcFindings(findings), []);
});

/** The fixture tree with a Module.symvers at its top, as modpost writes it in a built tree. */
function treeWithSymvers(crc: (symbol: string) => string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lpl-symvers-'));
  cpSync(kpatchTree, root, { recursive: true });
  const lines = ['example_open\tvmlinux\tEXPORT_SYMBOL_GPL', 'example_check\tvmlinux\tEXPORT_SYMBOL', 'printk\tvmlinux\tEXPORT_SYMBOL'];
  writeFileSync(path.join(root, 'Module.symvers'), lines.map((l) => `${crc(l.split('\t')[0])}\t${l}\t\n`).join(''));
  return root;
}

test('LP242 with a Module.symvers in the source root: modversions on names what the kernel exports, and what it does not', async () => {
  const root = treeWithSymvers(() => '0x1b2c3d4e');
  const findings = await analyzePatch(makePatch({ [example]: newInclude }, kpatchTree), { file: 'case.patch', sourceRoot: root });
  const [hit] = crcFindings(findings);
  assert.equal(hit?.severity, 'error');
  assert.match(hit.message, new RegExp(`built with CONFIG_MODVERSIONS \\(${path.join(root, 'Module.symvers').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
  assert.match(hit.message, /: example_open, example_check; not exported by the kernel .* describes \(built as a module, or configured out\): exported_func/);
});

test('LP242 with a Module.symvers of zero CRCs (no CONFIG_MODVERSIONS): an #include is harmless, a struct change a warning', async () => {
  const root = treeWithSymvers(() => '0x00000000');
  const include = await analyzePatch(makePatch({ [example]: newInclude }, kpatchTree), { file: 'case.patch', sourceRoot: root });
  assert.deepEqual(crcFindings(include), []);
  const struct = await analyzePatch(makePatch({ [example]: statsMember }, kpatchTree), { file: 'case.patch', sourceRoot: root });
  const [hit] = crcFindings(struct);
  assert.equal(hit?.severity, 'warning');
  assert.match(hit.message, /built without CONFIG_MODVERSIONS .* so no CRC stops a module/);
});

/** readelf: the `__crc_<name>` labels, CONFIG_MODVERSIONS' record of each export's CRC. */
const crcLabels = (image: string): string[] => [...binutils('readelf', ['-sW', image]).matchAll(/ __crc_(\w+)$/gm)].map((m) => m[1]);

test('LP242 with a target: its __crc_* symbols say modversions is on; a target without them lowers a struct change to a warning', async () => {
  const image = exportingTarget(true);
  assert.deepEqual(crcLabels(image).sort(), ['__x86_return_thunk', 'exported_func', 'gpl_func']);
  const versioned = await loadTargetIndex(image, { cacheDir: null });
  assert.equal(versioned.modversions, true);
  const include = makePatch({ [example]: newInclude }, kpatchTree);
  const [hit] = crcFindings(await analyzePatch(include, { file: 'case.patch', sourceRoot: kpatchTree, facts: targetFacts(versioned) }));
  assert.equal(hit?.severity, 'error');
  assert.match(hit.message, /built with CONFIG_MODVERSIONS \(the __crc_\* symbols of exporting-target-modversions\)/);
  assert.match(hit.message, /: exported_func; not exported by the kernel .*: example_open, example_check\./);
  const plainImage = exportingTarget();
  assert.deepEqual(crcLabels(plainImage), []);
  const plain = await loadTargetIndex(plainImage, { cacheDir: null });
  assert.equal(plain.modversions, false);
  const struct = makePatch({ [example]: statsMember }, kpatchTree);
  const [lowered] = crcFindings(await analyzePatch(struct, { file: 'case.patch', sourceRoot: kpatchTree, facts: targetFacts(plain) }));
  assert.equal(lowered?.severity, 'warning');
  assert.match(lowered.message, /exporting-target, which has no __crc_\* symbols/);
});
