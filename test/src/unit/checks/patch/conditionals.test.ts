import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../../../server/out/cli';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import type { Finding } from '../../../../../server/out/checks/finding';
import { diffOutput } from '../../diff/oracle';

// Patches to a file with preprocessor conditionals, made with diff -u and proved to apply with
// patch --dry-run: the branches the compiler reads are the ones analysed.

const original = [
  '// SPDX-License-Identifier: GPL-2.0',
  '#include <linux/kernel.h>',
  '#include <linux/sched.h>',
  '',
  '#ifdef CONFIG_FAST',
  'static int fast_path(int a)',
  '#else',
  'static int fast_path(void)',
  '#endif',
  '{',
  '\treturn 1;',
  '}',
  '',
  '#ifdef CONFIG_DEBUG_WIDGET',
  'static void widget_debug(int v)',
  '{',
  '\tpr_info("v=%d\\n", v);',
  '}',
  '#else',
  'static inline void widget_debug(int v) { }',
  '#endif',
  '',
  'int widget_run(int v)',
  '{',
  '#if IS_ENABLED(CONFIG_FAST)',
  '\tv += 1;',
  '#else',
  '\tv += 2;',
  '#endif',
  '#if 0',
  '\tv *= 7;',
  '#endif',
  '\twidget_debug(v);',
  '\treturn v;',
  '}',
  '',
].join('\n');

const tree = mkdtempSync(path.join(tmpdir(), 'lp-conditionals-'));
mkdirSync(path.join(tree, 'a', 'kernel'), { recursive: true });
writeFileSync(path.join(tree, 'a', 'kernel', 'widget.c'), original);
const sourceRoot = path.join(tree, 'a');
const fastConfig = path.join(tree, 'fast.config');
writeFileSync(fastConfig, 'CONFIG_FAST=y\n# CONFIG_DEBUG_WIDGET is not set\n');

function patchOf(edit: (text: string) => string): string {
  const dir = mkdtempSync(path.join(tree, 'edit-'));
  mkdirSync(path.join(dir, 'b', 'kernel'), { recursive: true });
  const edited = edit(original);
  assert.notEqual(edited, original, 'the edit changes the file');
  writeFileSync(path.join(dir, 'b', 'kernel', 'widget.c'), edited);
  const text = diffOutput('diff', ['-u', path.join('..', 'a', 'kernel', 'widget.c'), path.join('b', 'kernel', 'widget.c')], dir)
    .replace(/^--- \S+/m, '--- a/kernel/widget.c')
    .replace(/^\+\+\+ \S+/m, '+++ b/kernel/widget.c');
  const file = path.join(dir, 'p.patch');
  writeFileSync(file, text);
  execFileSync('patch', ['-p1', '--dry-run', '--quiet', '-d', sourceRoot, '-i', file]);
  return text;
}

const once = (search: string, replacement: string) => (text: string) => {
  assert.equal(text.split(search).length, 2, `"${search}" occurs once`);
  return text.replace(search, replacement);
};

async function findingsOf(edit: (text: string) => string, kernelConfig?: string): Promise<Finding[]> {
  return analyzePatch(patchOf(edit), { file: 'case.patch', sourceRoot, ...(kernelConfig ? { kernelConfig } : {}) });
}

const codesOf = (findings: Finding[]) => findings.map((f) => f.code).sort();

test('an #include added above an #ifdef block that duplicates a function header: the file parses, nothing else is reported', async () => {
  const findings = await findingsOf(once('#include <linux/sched.h>\n', '#include <linux/sched.h>\n#include <linux/slab.h>\n'));
  // The line added moves the pr_info of every function below it: LP241 notes those, as information.
  const besidesLineNotes = findings.filter((f) => !(f.code === 'LP241' && f.severity === 'information'));
  assert.deepEqual(codesOf(besidesLineNotes), [], findings.map((f) => f.message).join('\n'));
});

test('a change to a function whose header is duplicated under #ifdef/#else is a change to that function', async () => {
  const findings = await findingsOf(once('\treturn 1;', '\treturn 2;'), fastConfig);
  assert.ok(!codesOf(findings).includes('LP203'), findings.map((f) => f.message).join('\n'));
  const none = await findingsOf(once('\treturn 1;', '\treturn 2;'));
  assert.ok(!codesOf(none).includes('LP203'));
});

test('LP250: a change inside #if 0, or in the branch the configuration leaves out, changes no compiled code', async () => {
  // Each patch changes nothing else, so LP240 also says the patch as a whole changes no compiled code.
  const besidesLP240 = (findings: Finding[]): Finding[] => {
    assert.ok(
      findings.some((f) => f.code === 'LP240'),
      codesOf(findings).join(),
    );
    return findings.filter((f) => f.code !== 'LP240');
  };
  const inIfZero = besidesLP240(await findingsOf(once('\tv *= 7;', '\tv *= 8;')));
  assert.deepEqual(codesOf(inIfZero), ['LP250']);
  assert.match(inIfZero[0].message, /`#if 0` branch \(line 30\), which the preprocessor leaves out: no compiled code changes there.*no functional changes found/);
  const inElse = besidesLP240(await findingsOf(once('\tv += 2;', '\tv += 3;'), fastConfig));
  assert.deepEqual(codesOf(inElse), ['LP250']);
  assert.ok(
    inElse[0].message.includes(`the \`#else\` branch of \`#if IS_ENABLED(CONFIG_FAST)\` (line 27), which the preprocessor leaves out with ${fastConfig}`),
    inElse[0].message,
  );
  const lines = patchOf(once('\tv += 2;', '\tv += 3;')).split('\n');
  assert.match(lines[inElse[0].range.start.line], /^[-+]\tv \+= [23];$/, 'on the changed line');
});

test('LP250 stays quiet on a change to compiled code: the same line with the other configuration is a real change', async () => {
  const debugOn = path.join(tree, 'debug.config');
  writeFileSync(debugOn, '# CONFIG_FAST is not set\n');
  const compiled = await findingsOf(once('\tv += 2;', '\tv += 3;'), debugOn);
  assert.ok(!codesOf(compiled).some((c) => c === 'LP250' || c === 'LP251'), compiled.map((f) => `${f.code} ${f.message}`).join('\n'));
});

test('LP251: without a configuration, a change in a branch chosen or left out on a guess says so and how to know', async () => {
  const inElse = await findingsOf(once('\tv += 2;', '\tv += 3;'));
  assert.deepEqual(codesOf(inElse), ['LP251']);
  assert.match(
    inElse[0].message,
    /did not read: an earlier condition of `#if IS_ENABLED\(CONFIG_FAST\)` has a value unknown here \(no kernel configuration is known: set livepatch.kernelConfig/,
  );
  const inFirst = await findingsOf(once('\tv += 1;', '\tv += 4;'));
  assert.ok(codesOf(inFirst).includes('LP251'), codesOf(inFirst).join());
  assert.match(inFirst.find((f) => f.code === 'LP251')?.message ?? '', /took as compiled though its condition has a value unknown here/);
  const condition = await findingsOf(once('#ifdef CONFIG_DEBUG_WIDGET', '#ifdef CONFIG_DEBUG_WIDGETS'));
  assert.match(condition.find((f) => f.code === 'LP251')?.message ?? '', /part of `#ifdef CONFIG_DEBUG_WIDGETS?` \(line 14\), whose value is unknown here/);
  const known = await findingsOf(once('\tv += 1;', '\tv += 4;'), fastConfig);
  assert.ok(!codesOf(known).includes('LP251'), 'with the configuration, the branch is known to be compiled');
});

test('LP252: a kernel configuration that cannot be read is a warning, and the conditions are read as unknown', async () => {
  const notConfig = path.join(tree, 'not.config');
  writeFileSync(notConfig, 'hello\n');
  for (const file of [notConfig, path.join(tree, 'missing.config')]) {
    const findings = await findingsOf(once('\tv += 2;', '\tv += 3;'), file);
    assert.deepEqual(codesOf(findings), ['LP251', 'LP252']);
    assert.ok(findings.find((f) => f.code === 'LP252')?.message.includes(file));
  }
  const fine = await findingsOf(once('\tv += 2;', '\tv += 3;'), fastConfig);
  assert.ok(!codesOf(fine).includes('LP252'));
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

test('check --kernel-config, and a .config found in the source root', async () => {
  const patch = path.join(tree, 'else.patch');
  writeFileSync(patch, patchOf(once('\tv += 2;', '\tv += 3;')));
  const given = await cli('check', patch, '--source-root', sourceRoot, '--kernel-config', fastConfig, '--format', 'json');
  // The one change is in a branch left out: LP250 says where, LP240 that the patch changes no compiled code.
  assert.deepEqual((JSON.parse(given.out) as Finding[]).map((f) => f.code).sort(), ['LP240', 'LP250']);
  const missing = await cli('check', patch, '--source-root', sourceRoot, '--kernel-config', path.join(tree, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--kernel-config \S+nope: no such file/);
  const withTreeConfig = mkdtempSync(path.join(tree, 'built-'));
  mkdirSync(path.join(withTreeConfig, 'kernel'));
  writeFileSync(path.join(withTreeConfig, 'kernel', 'widget.c'), original);
  writeFileSync(path.join(withTreeConfig, '.config'), 'CONFIG_FAST=y\n');
  const found = await cli('check', patch, '--source-root', withTreeConfig, '--format', 'json');
  const findings = (JSON.parse(found.out) as Finding[]).filter((f) => f.code !== 'LP240');
  assert.deepEqual(
    findings.map((f) => f.code),
    ['LP250'],
  );
  assert.ok(findings[0].message.includes(path.join(withTreeConfig, '.config')));
});
