import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../../server/out/c/cParser';
import { targetFacts } from '../../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../../server/out/checks/facts/functionFacts';
import { analyzeSource } from '../../../../../server/out/checks/source/analyzeSource';
import { loadTargetIndex } from '../../../../../server/out/target';
import { expectedFindings } from '../../../support/expectations';
import { fixture, fromRoot } from '../../../support/paths';
import { dupTargetFacts } from './dupTarget';

let parser: Parser;
let sampleFacts: FactsProvider;
let dupFacts: FactsProvider;

before(async () => {
  parser = await createCParser();
  execFileSync('make', ['-s', '-C', fromRoot('samples')]);
  sampleFacts = targetFacts(await loadTargetIndex(fromRoot('samples/build/target/sample-target'), { cacheDir: null, inWorker: false }));
  dupFacts = await dupTargetFacts('dup-target');
});

function check(file: string, facts: FactsProvider | undefined, targetName = 'sample-target') {
  const source = readFileSync(fixture('checks/source', file), 'utf8');
  const tree = parser.parse(source)!;
  const findings = analyzeSource(tree, { file, ...(facts ? { facts } : {}), targetName });
  tree.delete();
  assert.deepEqual(
    findings.map((f) => `${f.range.start.line + 1}:${f.code}`).sort(),
    expectedFindings(source),
    findings.map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`).join('\n'),
  );
  return findings;
}

test('klp module against the sample target: LP101, LP102, LP104-LP110, LP115, LP120 fire where marked and nowhere else', () => {
  const findings = check('klp_checks.c', sampleFacts);
  const schedule = findings.find((f) => f.code === 'LP108' && f.message.includes('pick_next_task'));
  assert.match(schedule!.message, /inlined into __schedule \(__schedule at sched\.c:\d+\)/);
  assert.match(findings.find((f) => f.code === 'LP109')!.message, /also inlined into scheduler_tick at sched\.c:\d+/);
  assert.match(findings.find((f) => f.code === 'LP110')!.message, /only inlined into meminfo_proc_show/);
  assert.match(findings.find((f) => f.code === 'LP102')!.message, /"symbol 'no_such_function' not found in symbol table"/);
});

test('Xen payload source against the sample target: LP102, LP108, LP111-LP115, LP117, LP120, LP121', () => {
  const findings = check('xen_checks.c', sampleFacts);
  const small = findings.filter((f) => f.code === 'LP113').map((f) => f.message);
  assert.ok(
    small.some((m) => m.includes('old_size is 3 bytes')),
    'a symbolic old_size is taken from the target (raw_smp_processor_id is 3 bytes)',
  );
  assert.ok(small.some((m) => m.includes('Address or size fields are zero')));
  assert.match(findings.find((f) => f.code === 'LP114')!.message, /"Wrong version \(1\)\. Expected 2"/);
  const nrRunning = parseInt(
    /^[0-9a-f]+ ([0-9a-f]+) T nr_running$/m.exec(execFileSync('nm', ['-S', fromRoot('samples/build/target/sample-target')], { encoding: 'utf8' }))![1],
    16,
  );
  const [minusOne, minusSix] = findings.filter((f) => f.code === 'LP117').map((f) => f.message);
  assert.match(minusOne, new RegExp(`new_size is \`NR_RUNNING_SZ - 1\` \\(${nrRunning - 1} here\\): it assumes the last 1 byte is a one-byte \`ret\``));
  assert.doesNotMatch(minusSix, / here\)/, "THIS_RQ_SZ is not the entry's old_size (13): no value is claimed");
});

test('ambiguous names against a target with two functions of one name: LP103 and LP104, sympos 2 is fine', () => {
  const findings = check('klp_dup.c', dupFacts, 'dup-target');
  assert.match(
    findings.find((f) => f.code === 'LP103')!.message,
    /2 functions are named 'dup_fn'.*\(1: 0x[0-9a-f]+ in \.text from \S*dup-target\/a\.c, 2: 0x[0-9a-f]+ in \.text from \S*dup-target\/b\.c\)/,
  );
});

test('struct copies against the target DWARF: LP116 names the member-level differences, an exact copy is quiet', () => {
  const findings = check('struct_copy.c', sampleFacts);
  const [sysinfo, task] = findings.filter((f) => f.code === 'LP116').map((f) => f.message);
  assert.match(sysinfo, /members are in another order|`mem_unit` is at offset 16 \(4 bytes\) here, 24 \(4 bytes\) in the target/);
  assert.match(sysinfo, /`bufferram` is at offset 24 \(8 bytes\) here, 16 \(8 bytes\) in the target/);
  assert.match(task, /member `nivcsw` is not in the target/);
  assert.match(task, /size 104 here, 96 in the target/);
});

test('shadow variables (no target needed): LP130, LP131', () => {
  check('shadow.c', undefined);
});

test('without a target, no target-fact check fires', () => {
  const source = readFileSync(fixture('checks/source/klp_checks.c'), 'utf8');
  const tree = parser.parse(source)!;
  const codes = new Set(analyzeSource(tree, { file: 'klp_checks.c' }).map((f) => f.code));
  tree.delete();
  assert.deepEqual([...codes].sort(), ['LP101', 'LP115', 'LP120']);
});
