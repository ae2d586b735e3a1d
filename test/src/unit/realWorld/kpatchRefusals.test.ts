import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { analyzePatch } from '../../../../server/out/checks/patch';
import type { Finding } from '../../../../server/out/checks/finding';
import { readElf } from '../../../../server/out/elf';
import { findModuleSymvers, moduleSymversCandidates } from '../../../../server/out/target';
import { exportColumns } from '../../../../server/out/target/kernelExports';
import { StringTable } from '../../../../server/out/target/stringTable';
import { exportFlag } from '../../../../server/out/target/tables';
import { linuxSourceTree, noLinuxSource } from '../../support/linuxSourceTree';
import { diffOutput } from '../diff/oracle';

// Optional and slow: LP240/LP241/LP242 on real kernel files from Debian's linux-source-6.1; the
// modversions facts from Debian's linux-headers-6.1.0-56-amd64 Module.symvers.
const skip = noLinuxSource;
const release = '6.1.0-56-amd64';
const symversFile = `/usr/src/linux-headers-${release}/Module.symvers`;
const noSymvers = existsSync(symversFile) ? false : `${symversFile} is not installed (apt-get install linux-headers-${release})`;
let tree: string;

before(() => {
  if (!skip) tree = linuxSourceTree();
});

/** The file copied to a fresh source root (with Module.symvers linked in when asked), the edited copy diffed against it. */
async function analyse(file: string, edit: [string, string], symvers = false): Promise<{ findings: Finding[]; patch: string; original: string; patched: string }> {
  const root = mkdtempSync(path.join(tmpdir(), 'lpl-kpatch-'));
  const original = readFileSync(path.join(tree, file), 'utf8');
  const at = original.indexOf(edit[0]);
  assert.ok(at >= 0, `${file} has ${JSON.stringify(edit[0])}`);
  const patched = original.slice(0, at) + edit[1] + original.slice(at + edit[0].length);
  for (const side of ['a', 'b']) {
    mkdirSync(path.join(root, side, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(root, side, file), side === 'a' ? original : patched);
  }
  if (symvers) symlinkSync(symversFile, path.join(root, 'a', 'Module.symvers'));
  const patch = diffOutput('diff', ['-up', path.join('a', file), path.join('b', file)], root);
  const findings = await analyzePatch(patch, { file: 'real.patch', sourceRoot: path.join(root, 'a') });
  return { findings, patch, original, patched };
}

const errors = (findings: Finding[]): string[] => findings.filter((f) => f.severity === 'error').map((f) => f.code);

test('LP240 on a comment-only fix to kernel/sched/core.c, and no other error', { skip }, async () => {
  const { findings } = await analyse('kernel/sched/core.c', [' * __schedule() is the main scheduler function.', ' * __schedule() is the main scheduler function:']);
  assert.deepEqual(errors(findings), ['LP240']);
  assert.deepEqual(
    findings.filter((f) => f.code === 'LP241'),
    [],
    'no line moves',
  );
});

test('LP240 and LP241 on a blank line added near the top of kernel/workqueue.c: every line each note names holds its macro, before and after', { skip }, async () => {
  const { findings, original, patched } = await analyse('kernel/workqueue.c', ['#include <linux/export.h>\n', '\n#include <linux/export.h>\n']);
  assert.deepEqual(errors(findings), ['LP240']);
  const note = findings.find((f) => f.code === 'LP241');
  const functions = (note?.data as { functions: Array<{ name: string; macro: string; from: number; to: number }> } | undefined)?.functions ?? [];
  assert.ok(functions.length > 20, `${functions.length} functions`);
  const before = original.split('\n');
  const after = patched.split('\n');
  for (const f of functions) {
    assert.ok(before[f.from - 1].includes(f.macro), `${f.name}: line ${f.from} is ${before[f.from - 1]}`);
    assert.equal(after[f.to - 1], before[f.from - 1], `${f.name}: the same line, moved`);
    assert.equal(f.to, f.from + 1);
  }
});

test('LP240 on a whitespace fix to kernel/workqueue.c', { skip }, async () => {
  const { findings } = await analyse('kernel/workqueue.c', ['\tMAYDAY_INITIAL_TIMEOUT  = HZ', '\tMAYDAY_INITIAL_TIMEOUT\t= HZ']);
  assert.deepEqual(errors(findings), ['LP240']);
});

test('LP240 stays quiet on a real printk_once change and on a changed constant in kernel/workqueue.c', { skip }, async () => {
  const once = await analyse('kernel/workqueue.c', ['\t\tpr_warn("workqueue: round-robin CPU selection forced', '\t\tpr_warn_once("workqueue: round-robin CPU selection forced']);
  assert.ok(!errors(once.findings).includes('LP240'));
  assert.ok(once.findings.some((f) => f.code === 'LP231'));
  const constant = await analyse('kernel/workqueue.c', ['IDLE_WORKER_TIMEOUT\t= 300 * HZ', 'IDLE_WORKER_TIMEOUT\t= 600 * HZ']);
  assert.ok(!constant.findings.some((f) => f.code === 'LP240'));
});

/** EXPORT_SYMBOL*(name) lines of the file, each name once: grep is the oracle. */
function exportsOf(file: string): string[] {
  const lines = execFileSync('grep', ['-oE', '^EXPORT_SYMBOL(_GPL)?\\([A-Za-z0-9_]+\\)', path.join(tree, file)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return [...new Set(lines.map((l) => l.replace(/^.*\(|\)$/g, '')))];
}

test('LP242 on an #include added to kernel/workqueue.c names every export; wrapped in #ifndef __GENKSYMS__ it is quiet', { skip }, async () => {
  const exports = exportsOf('kernel/workqueue.c');
  const added = await analyse('kernel/workqueue.c', ['#include <linux/kvm_para.h>\n', '#include <linux/kvm_para.h>\n#include <linux/delay.h>\n']);
  const hit = added.findings.find((f) => f.code === 'LP242');
  assert.match(hit?.message ?? '', new RegExp(`which exports ${exports.length} symbol\\(s\\)`));
  assert.deepEqual((hit?.data as { symbols: string[] }).symbols, exports);
  const wrapped = await analyse('kernel/workqueue.c', ['#include <linux/kvm_para.h>\n', '#include <linux/kvm_para.h>\n#ifndef __GENKSYMS__\n#include <linux/delay.h>\n#endif\n']);
  assert.ok(!wrapped.findings.some((f) => f.code === 'LP242'));
});

test(
  "LP242 on a struct change in kernel/workqueue.c, with Debian's Module.symvers: the exports reaching it through struct workqueue_struct",
  { skip: skip || noSymvers },
  async () => {
    const { findings } = await analyse('kernel/workqueue.c', ['struct pool_workqueue {\n', 'struct pool_workqueue {\n\tint\t\t\tspare;\n'], true);
    const hit = findings.find((f) => f.code === 'LP242');
    assert.equal(hit?.severity, 'error');
    assert.match(hit.message, /built with CONFIG_MODVERSIONS \(.*Module\.symvers\)/);
    assert.match(hit.message, /queue_work_on.* \(through struct workqueue_struct, which contains struct pool_workqueue\)/);
    const symbols = (hit.data as { symbols: string[] }).symbols;
    assert.ok(!symbols.includes('flush_work'), 'flush_work(struct work_struct *) does not reach it');
  },
);

test("Debian's Module.symvers read for its vmlinux-<release>: modversions on, every line an export (awk is the oracle)", { skip: noSymvers }, () => {
  const symvers = findModuleSymvers(moduleSymversCandidates(`/usr/lib/debug/boot/vmlinux-${release}`, undefined));
  assert.equal(symvers?.file, symversFile);
  assert.equal(symvers.modversions, true);
  const names = execFileSync('awk', ['-F', '\t', '{ print $2 }', symversFile], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(symvers.exports.size, new Set(names).size);
  assert.equal(symvers.exports.get('queue_work_on'), 'vmlinux');
});

const vmlinux = `/usr/lib/debug/boot/vmlinux-${release}`;
const noVmlinux = existsSync(vmlinux) ? false : `${vmlinux} is not installed (apt-get install linux-image-${release}-dbg)`;

test("the Debian vmlinux's exports: each with a __crc_ symbol is flagged, as many as readelf lists", { skip: noVmlinux }, () => {
  const elf = readElf(vmlinux);
  try {
    const strings = new StringTable();
    const columns = exportColumns(elf, elf.symbols(), strings);
    const flagged = Array.from(columns.flags).filter((f) => (f & exportFlag.crc) !== 0).length;
    const crcs = execFileSync('sh', ['-c', `readelf -sW ${vmlinux} | awk '$8 ~ /^__crc_/' | wc -l`], { encoding: 'utf8' });
    assert.equal(flagged, Number(crcs.trim()));
    assert.ok(flagged > 10000, `${flagged} exports with a CRC`);
  } finally {
    elf.close();
  }
});
