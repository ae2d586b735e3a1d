import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { targetFacts } from '../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../server/out/checks/facts/functionFacts';
import { analyzePayloadFile } from '../../../../server/out/checks/payload';
import { analyzeSource } from '../../../../server/out/checks/source/analyzeSource';
import { functionHoverMarkdown } from '../../../../server/out/features/hover';
import { buildTargetIndexData, TargetIndex } from '../../../../server/out/target';
import { fromRoot } from '../../support/paths';
import { assemble, buildDir } from '../payload/build';
import { buildSamples, run, targetPath } from '../samples/binutils';
import { linuxImagePrelude } from '../target/linuxImage';

// LP142 (sources) and LP360 (payloads): a patched function that the NMI or #MC entry, or the
// patching code itself, reaches by direct calls in the target's text. The oracle for each chain
// is objdump's listing of the calls along it.

let parser: Parser;
let sample: TargetIndex;
let linux: TargetIndex;

/** A kernel-like image: Linux's NMI and #MC entries, text_poke_bp, and functions none of them reaches. */
const linuxLike = `${linuxImagePrelude}
  .globl exc_nmi, default_do_nmi, nmi_helper, preempt_schedule, sched_helper, exc_machine_check, do_machine_check, text_poke_bp, poke_helper, plain_function
  .macro fn name, body:vararg
  .type \\name,@function
\\name: call __fentry__
  \\body
  ret
  .size \\name, .-\\name
  .endm
  fn exc_nmi, call default_do_nmi
  fn default_do_nmi, call nmi_helper
  fn nmi_helper, call preempt_schedule
  fn preempt_schedule, call sched_helper
  fn sched_helper, nop
  fn exc_machine_check, call do_machine_check
  fn do_machine_check, nop
  fn text_poke_bp, call poke_helper
  fn poke_helper, nop
  fn plain_function, nop
`;

before(async () => {
  parser = await createCParser();
  buildSamples();
  sample = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
  const image = path.join(buildDir, 'linux-entries-vmlinux');
  run('ld', ['--build-id=sha1', '-e', 'exc_nmi', '-Ttext=0xffffffff81000000', '-o', image, assemble('linux-entries', linuxLike)]);
  linux = new TargetIndex(await buildTargetIndexData(image, { dwarfWorkers: 1 }));
});

const xenPayload = (name: string) => fromRoot('samples', 'build', 'payloads', 'xen', `${name}.livepatch`);

/** The functions a function calls, as objdump lists them. */
const calledBy = (name: string, image = targetPath): string[] =>
  [...run('objdump', ['-d', '--no-show-raw-insn', `--disassemble=${name}`, image]).matchAll(/call\s+[0-9a-f]+ <([^>+]+)>/g)].map((m) => m[1]);

function sourceFindings(text: string, facts: FactsProvider, file = 'patch.c') {
  const tree = parser.parse(text)!;
  try {
    return analyzeSource(tree, { file, facts, targetName: 'target' }).filter((f) => f.code === 'LP142');
  } finally {
    tree.delete();
  }
}

test("LP360 fires on the torn-write scenario's payload: the #MC and NMI handlers reach xen_build_info, each chain named", () => {
  // objdump's chain: do_machine_check calls xen_build_info; do_nmi reaches it through the callback.
  assert.ok(calledBy('do_machine_check').includes('xen_build_info'));
  assert.ok(calledBy('default_nmi_callback').includes('xen_build_info'));
  const findings = analyzePayloadFile(xenPayload('xen_trap_world'), { target: sample }).findings.filter((f) => f.code === 'LP360');
  assert.equal(findings.length, 2, findings.map((f) => f.message).join('\n'));
  const [nmi, mce] = ['NMI handler', 'machine-check'].map((what) => findings.find((f) => f.message.includes(what))!.message);
  assert.match(mce, /do_machine_check → xen_build_info\. #MC is not masked at all/);
  assert.match(nmi, /do_nmi → default_nmi_callback → xen_build_info\. Xen masks NMIs while it patches by replacing the NMI callback/);
  assert.equal(findings[0].severity, 'warning');
});

test('LP360 stays quiet on the good sample payloads, whose functions no handler reaches, and without a target', () => {
  for (const name of ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop', 'xen_prepost_hooks']) {
    assert.deepEqual(
      analyzePayloadFile(xenPayload(name), { target: sample }).findings.filter((f) => f.code === 'LP360'),
      [],
      name,
    );
  }
  assert.ok(!calledBy('do_machine_check').includes('xen_extra_version'));
  assert.deepEqual(
    analyzePayloadFile(xenPayload('xen_trap_world')).findings.filter((f) => f.code === 'LP360'),
    [],
  );
});

test('LP142 fires on the payload source that patches xen_build_info and not on xen_hello_world.c', () => {
  const facts = targetFacts(sample);
  const source = (name: string) => readFileSync(fromRoot('samples', 'payloads', 'xen', `${name}.c`), 'utf8');
  const fired = sourceFindings(source('xen_trap_world'), facts);
  assert.deepEqual(fired.map((f) => /reaches xen_build_info: ([^.]*)\./.exec(f.message)?.[1]).sort(), [
    'do_machine_check → xen_build_info',
    'do_nmi → default_nmi_callback → xen_build_info',
  ]);
  assert.deepEqual(sourceFindings(source('xen_hello_world'), facts), []);
});

test('a klp patch on a Linux image: the NMI path (shortest, from either entry), the #MC entry itself and text_poke_bp code are flagged; other functions, and what only the scheduler reaches, are not', () => {
  assert.deepEqual(calledBy('default_do_nmi', path.join(buildDir, 'linux-entries-vmlinux')), ['__fentry__', 'nmi_helper']);
  const klp = (names: string[]) => `#include <linux/livepatch.h>
static int fix(void) { return 0; }
static struct klp_func funcs[] = {
${names.map((n) => `\t{ .old_name = "${n}", .new_func = fix, },`).join('\n')}
\t{ }
};
static struct klp_object objs[] = { { .funcs = funcs, }, { } };
static struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs, };
`;
  // nmi_helper calls preempt_schedule, which calls sched_helper: an NMI never schedules, so the chain stops there.
  assert.deepEqual(calledBy('preempt_schedule', path.join(buildDir, 'linux-entries-vmlinux')), ['__fentry__', 'sched_helper']);
  const findings = sourceFindings(klp(['nmi_helper', 'do_machine_check', 'poke_helper', 'plain_function', 'sched_helper']), targetFacts(linux));
  const messages = findings.map((f) => f.message);
  assert.equal(findings.length, 3, messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('The NMI handler reaches nmi_helper: default_do_nmi → nmi_helper') && m.includes("text_poke_bp's int3 keeps every fetch whole")));
  assert.ok(messages.some((m) => m.startsWith('do_machine_check is the entry of the machine-check (#MC) handler.')));
  assert.ok(messages.some((m) => m.includes('The patching code itself reaches poke_helper: text_poke_bp → poke_helper') && m.includes("The kernel's own patching code runs it")));
  assert.ok(!messages.some((m) => m.includes('plain_function') || m.includes('sched_helper')));
});

test('the hover of a patched function shows the chains from the handlers, or says none reaches it', () => {
  const facts = targetFacts(sample);
  const reached = functionHoverMarkdown('xen_build_info', 'patched by this Xen livepatch_func', facts.function('xen_build_info'), 'sample-target', []);
  assert.match(reached, /\| runs in \| ⚠ NMI: `do_nmi → default_nmi_callback → xen_build_info`; #MC: `do_machine_check → xen_build_info` \(LP142\) \|/);
  const quiet = functionHoverMarkdown('xen_extra_version', 'patched by this Xen livepatch_func', facts.function('xen_extra_version'), 'sample-target', []);
  assert.match(quiet, /\| runs in \| no NMI, #MC or patching-code path reaches it by direct calls \|/);
});
