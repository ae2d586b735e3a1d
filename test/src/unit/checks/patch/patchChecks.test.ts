import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';
import { assertOnChangedLines, check, codes, fixtureTree, makePatch, once } from './patchCase';

const widget = 'kernel/widget.c';
const header = 'include/widget.h';

/** Each check: a patch that must fire it, and a near miss that must not. */
const cases: Array<{ id: string; fires: Record<string, (t: string) => string>; quiet: Record<string, (t: string) => string>; message?: RegExp }> = [
  {
    id: 'LP210',
    fires: { [widget]: once('prev->next = next;', 'prev->next = next;\n\tnext->next = NULL;') },
    quiet: { [widget]: once('\t__schedule(0);', '\t__schedule(1);') },
    message: /widget_switch\(\) may be inlined into __schedule \(kernel\/widget\.c:\d+\), because it is always_inline/,
  },
  {
    id: 'LP211',
    fires: { [widget]: once('return w->id + 1;', 'return w->id + 2;') },
    quiet: { [widget]: once('\tif (w->next == w)\n\t\treturn -3;', '\tif (w->next == w || !w->next)\n\t\treturn -3;') },
    message: /widget_score\(\) may be inlined into 1 other function\(s\), because it is declared inline.*widget_add\(\) at kernel\/widget\.c:\d+/,
  },
  {
    id: 'LP212',
    fires: { [widget]: once('return w->weight * 2;', 'return w->weight * 3;') },
    // Its address is taken (widget_hook), so widget_report keeps an out-of-line copy.
    quiet: { [widget]: once('return widget_check(w);', 'return widget_check(w) ? -1 : 0;') },
  },
  {
    id: 'LP213',
    fires: { [widget]: once('return 42;', 'return 43;') },
    quiet: { [widget]: once('\tif (slot >= 0)\n\t\treturn slot;', '\tif (slot >= 0)\n\t\treturn slot + 0;') },
    message: /widget_clock\(\) is marked notrace.*doesn't have patchable function entry, unable to patch/,
  },
  {
    id: 'LP213',
    fires: { [widget]: once('return 7;', 'return 8;') },
    quiet: { [widget]: once('return 42;\n}', 'return 42;\n}\n\nint widget_new(void)\n{\n\treturn 1;\n}') },
    message: /widget_raw\(\) is declared inline, and the kernel's inline implies notrace/,
  },
  {
    id: 'LP214',
    fires: { [widget]: once('widgets[0].id = 1;', 'widgets[0].id = 2;') },
    quiet: { [widget]: once('widget_add(1);', 'widget_add(2);') },
    message: /widget_init\(\) is __init code \(__init\)/,
  },
  {
    id: 'LP215',
    fires: { [widget]: once('return widget_clock();', 'return widget_clock() + 1;') },
    quiet: { [widget]: once('widget_add(1);', 'widget_add(3);') },
  },
  {
    id: 'LP220',
    fires: { [header]: once('\tchar kind;\n', '\tchar kind;\n\tchar flags;\n') },
    quiet: { [header]: once('\tchar kind;\n', '\tchar kind; /* d, s or x */\n') },
    message: /struct widget changes layout: member `flags` \(char\) added after `kind`.*padding: 3 byte\(s\) after `kind` at offset 5/,
  },
  {
    id: 'LP220',
    fires: { [header]: once('\tint id;\n\tchar kind;\n', '\tchar kind;\n\tint id;\n') },
    quiet: { [header]: once('\tint id;\n', '\tint  id;\n') },
    message: /members reordered: id, kind, weight, next -> kind, id, weight, next/,
  },
  {
    id: 'LP220',
    fires: { [header]: once('\tlong weight;', '\tint weight;') },
    quiet: { [header]: once('int widget_count(void);', 'int widget_count(void);\nint widget_total(void);') },
    message: /member `weight` retyped from long to int/,
  },
  {
    id: 'LP221',
    fires: { [widget]: once('widgets[NR_WIDGETS];', 'widgets[NR_WIDGETS + 1];') },
    quiet: { [widget]: once('static struct widget widgets[NR_WIDGETS];', 'static struct widget widgets[NR_WIDGETS];\nstatic struct widget spare_widget;') },
    message: /widgets changes type from `struct widget\[NR_WIDGETS\]` to `struct widget\[NR_WIDGETS \+ 1\]`/,
  },
  {
    // An array sized by its initializer: one entry more is a bigger object, though its declared type reads the same.
    id: 'LP221',
    fires: { [widget]: once('\t"square",\n', '\t"square",\n\t"oval",\n') },
    quiet: { [widget]: once('\t"square",\n', '\t"oblong",\n') },
    message: /widget_kinds changes size from 3 to 4 elements \(`const char\*const\[\]` is sized by its initializer\)/,
  },
  {
    // Spaces inside a string are part of the value: the message shows it as written.
    id: 'LP222',
    fires: { [widget]: once('\t"round",\n', '\t"round ",\n') },
    quiet: { [widget]: once('\t"round",\n', '\t"round",  /* the default */\n') },
    message: /\[1\]: "round" -> "round "/,
  },
  {
    id: 'LP222',
    fires: { [widget]: once('.weight = 120,', '.weight = 100,') },
    quiet: { [widget]: once('\t.weight = 120,', '\t.weight =  120, /* nice 0 */') },
    message: /the initializer of default_widget changes \(\.weight: 120 -> 100\)/,
  },
  {
    id: 'LP222',
    fires: { [widget]: once('widget_latency = 6000000;', 'widget_latency = 3000000;') },
    quiet: { [widget]: once('unsigned int widget_latency = 6000000;', 'unsigned int widget_latency = 6000000;\nunsigned int widget_granularity = 750000;') },
    message: /value: 6000000 -> 3000000/,
  },
  {
    id: 'LP230',
    fires: { [widget]: once('\tcalls++;\n', '') },
    quiet: { [widget]: once('\tcalls++;\n', '\tcalls += 2;\n') },
    message: /reference to static local variable calls in widget_add was removed/,
  },
  {
    id: 'LP231',
    fires: { [widget]: once('\t\treturn -1;\n\tif (w->kind', '\t\treturn -1;\n\tWARN_ONCE(w->kind == 0, "no kind");\n\tif (w->kind') },
    quiet: { [widget]: once('\t\treturn -1;\n\tif (w->kind', '\t\treturn -1;\n\tpr_warn("WARN_ONCE would be wrong here");\n\tif (w->kind') },
  },
  {
    id: 'LP232',
    fires: { [widget]: once('int widget_lookup(int id)', 'int widget_lookup(long id)') },
    quiet: {
      [widget]: once(
        'int widget_lookup(int id)\n{\n\tint i;\n\n\tfor (i = 0; i < NR_WIDGETS; i++)\n\t\tif (widgets[i].id == id)',
        'int widget_lookup(int wanted)\n{\n\tint i;\n\n\tfor (i = 0; i < NR_WIDGETS; i++)\n\t\tif (widgets[i].id == wanted)',
      ),
    },
    message: /widget_lookup\(\)'s prototype changes from `int\(int\)` to `int\(long\)`/,
  },
  {
    id: 'LP233',
    fires: { 'lib/string.c': once('return s[0];', 'return s[1];') },
    quiet: { [widget]: once('return 42;', 'return 44;') },
    message: /unsupported patch to lib\/: lib\/string\.c/,
  },
  {
    id: 'LP234',
    fires: { 'arch/entry.S': once('\tret', '\tnop\n\tret') },
    quiet: { 'lib/string.c': once('return s[0];', 'return s[2];') },
    message: /unsupported patch to assembly: arch\/entry\.S/,
  },
];

for (const { id, fires, quiet, message } of cases) {
  test(`${id} fires${message ? ` (${message.source.slice(0, 40)}...)` : ''}, and its near miss does not`, async () => {
    const fired = await check(fires);
    const hits = fired.findings.filter((f) => f.code === id);
    assert.ok(hits.length > 0, `${id} expected, got ${codes(fired.findings).join(', ') || 'nothing'}\n${fired.patch}`);
    if (message)
      assert.ok(
        hits.some((f) => message.test(f.message)),
        hits.map((f) => f.message).join('\n'),
      );
    assertOnChangedLines(fired.findings, fired.patch);
    for (const finding of hits) assert.equal(finding.file, 'case.patch');
    const missed = await check(quiet);
    assert.deepEqual(
      missed.findings.filter((f) => f.code === id),
      [],
      `near miss fired ${id}`,
    );
  });
}

test('a change to __schedule itself is LP210 and not also reported as notrace', async () => {
  const { findings } = await check({ [widget]: once('\tif (preempt)\n', '\tif (preempt && widgets[1].id)\n') });
  assert.deepEqual(codes(findings), ['LP210']);
  assert.match(findings[0].message, /__schedule\(\) is the context switch itself/);
});

test('related locations point at each call site the function may be inlined into, in the source root', async () => {
  const { findings } = await check({ [widget]: once('return w->id + 1;', 'return w->id + 2;') });
  const inlined = findings.find((f) => f.code === 'LP211');
  const site = inlined?.related?.[0];
  assert.ok(site, 'LP211 has a related location');
  assert.equal(site.file, path.join(fixtureTree, widget));
  const line = readFileSync(site.file, 'utf8').split('\n')[site.range.start.line];
  assert.match(line, /widget_score\(/, 'the related line is the call');
});

test('without a source root: LP202 says so, and the hunk alone still finds what its header and lines show', async () => {
  const layout = await check({ [header]: once('\tchar kind;\n', '\tchar kind;\n\tchar flags;\n') }, false);
  assert.deepEqual(codes(layout.findings), ['LP202', 'LP220']);
  assert.match(layout.findings.find((f) => f.code === 'LP220')?.message ?? '', /member `flags` \(char\) added/);
  const init = await check({ [widget]: once('widgets[0].id = 1;', 'widgets[0].id = 2;') }, false);
  assert.deepEqual(codes(init.findings), ['LP202', 'LP214']);
  const body = await check({ [widget]: once('return w->id + 1;', 'return w->id + 2;') }, false);
  assert.deepEqual(codes(body.findings), ['LP202', 'LP212'], 'static inline seen in the hunk header: no out-of-line copy, callers unknown');
  assert.match(body.findings.find((f) => f.code === 'LP212')?.message ?? '', /read from the hunk alone/);
  const once_ = await check({ [widget]: once('\t\treturn -1;\n\tif (w->kind', '\t\treturn -1;\n\tpr_info_once("x");\n\tif (w->kind') }, false);
  assert.ok(codes(once_.findings).includes('LP231'));
  const safe = await check({ [widget]: once('\tif (slot >= 0)\n\t\treturn slot;', '\tif (slot >= 0)\n\t\treturn slot + 0;') });
  assert.deepEqual(codes(safe.findings), [], 'a plain body change with a source root gives nothing');
});

test('LP201: a patch that does not apply to the source root is reported on its hunk and analysed from the hunks', async () => {
  const patch = makePatch({ [widget]: once('widgets[0].id = 1;', 'widgets[0].id = 2;') }).replace(/widgets\[0\]\.id = 1;/, 'widgets[0].id = 9;');
  const findings = await analyzePatch(patch, { file: 'case.patch', sourceRoot: fixtureTree });
  const refused = findings.find((f) => f.code === 'LP201');
  assert.ok(refused);
  assert.match(patch.split('\n')[refused.range.start.line], /^@@/);
  assert.ok(codes(findings).includes('LP214'), 'the hunk is still read');
  const missing = await analyzePatch(patch.replace(/kernel\/widget\.c/g, 'kernel/nowhere.c'), { file: 'case.patch', sourceRoot: fixtureTree });
  assert.match(missing.find((f) => f.code === 'LP201')?.message ?? '', /can't find file to patch: kernel\/nowhere\.c/);
});

test('LP203: C that does not parse after the patch is reported, and valid C is not', async () => {
  const broken = await check({ [widget]: once('return 42;', 'return 42 +;') });
  assert.ok(codes(broken.findings).includes('LP203'));
  const fine = await check({ [widget]: once('return 42;', 'return 42 + 0;') });
  assert.ok(!codes(fine.findings).includes('LP203'));
});

test('LP200 and no exception for malformed or hostile input', async () => {
  const patch = makePatch({ [widget]: once('return 42;', 'return 43;') });
  const cut = patch.split('\n').slice(0, -3).join('\n');
  const findings = await analyzePatch(cut, { file: 'cut.patch', sourceRoot: fixtureTree });
  assert.ok(codes(findings).includes('LP200'));
  assert.deepEqual(codes(await analyzePatch('hello\nworld\n', { file: 'x.patch' })), ['LP200']);
  assert.deepEqual(await analyzePatch('', { file: 'empty.patch' }), []);
  const lines = patch.split('\n');
  for (let n = 0; n < lines.length; n++) {
    await analyzePatch(lines.slice(0, n).join('\n'), { file: 'p.patch', sourceRoot: fixtureTree });
    await analyzePatch(patch.replace(/\.\.\//g, '').replace('kernel/widget.c', '../../../../etc/passwd'), { file: 'p.patch', sourceRoot: fixtureTree });
  }
});
