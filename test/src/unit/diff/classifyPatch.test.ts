import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { classifyPatch } from '../../../../server/out/diff/classifyPatch';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { fixtureTree, makePatch, once } from '../checks/patch/patchCase';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

const widget = 'kernel/widget.c';
const header = 'include/widget.h';

/** Each edit names the entity it touches and what about it changes: the classifier must say the same. */
// prettier-ignore
const cases: Array<{ file: string; edit: (t: string) => string; entity: string; hunksToo?: boolean }> = [
  { file: widget, edit: once('return w->id + 1;', 'return w->id + 2;'), entity: 'function widget_score modified body', hunksToo: true },
  { file: widget, edit: once('int widget_lookup(int id)', 'int widget_lookup(long id)'), entity: 'function widget_lookup modified prototype', hunksToo: true },
  { file: widget, edit: once('static inline int widget_score', 'static int widget_score'), entity: 'function widget_score modified attributes' },
  { file: widget, edit: once('\treturn 42;', '\treturn 42; /* the answer */'), entity: 'function widget_clock modified cosmetic' },
  { file: widget, edit: once('int widget_count(void)\n{', 'int widget_more(void)\n{\n\treturn 1;\n}\n\nint widget_count(void)\n{'), entity: 'function widget_more added', hunksToo: true },
  { file: widget, edit: once('static int widget_report(struct widget *w)\n{\n\treturn widget_check(w);\n}\n\n', ''), entity: 'function widget_report removed' },
  { file: header, edit: once('\tlong weight;', '\tint weight;'), entity: 'struct widget modified members', hunksToo: true },
  { file: header, edit: once('#define NR_WIDGETS 4', '#define NR_WIDGETS 8'), entity: 'macro NR_WIDGETS modified definition', hunksToo: true },
  { file: widget, edit: once('.weight = 120,', '.weight = 100,'), entity: 'variable default_widget modified initializer', hunksToo: true },
  { file: widget, edit: once('widgets[NR_WIDGETS];', 'widgets[NR_WIDGETS * 2];'), entity: 'variable widgets modified type', hunksToo: true },
];

const describe = (e: { kind: string; name: string; change: string; aspects: string[] }): string[] =>
  e.change === 'modified' ? e.aspects.map((a) => `${e.kind} ${e.name} modified ${a}`) : [`${e.kind} ${e.name} ${e.change}`];

for (const { file, edit, entity, hunksToo } of cases) {
  test(`${entity}${hunksToo ? ' (from the source root and from the hunks alone)' : ''}`, async () => {
    const text = makePatch({ [file]: edit });
    const lines = text.split('\n');
    const diff = parseUnifiedDiff(text);
    for (const sourceRoot of hunksToo ? [fixtureTree, undefined] : [fixtureTree]) {
      const classified = await classifyPatch(diff, lines, parser, sourceRoot);
      const entities = classified.files.flatMap((f) => f.entities);
      assert.deepEqual(entities.flatMap(describe), [entity], `${sourceRoot ? 'source' : 'hunks'}:\n${text}`);
      for (const range of entities[0].ranges) assert.match(lines[range.start.line], /^[-+]/, 'ranges cover the changed lines');
    }
  });
}

test('assembly and other files are recognised by path; a patched C file is parsed from the source root', async () => {
  const text = makePatch({ 'arch/entry.S': once('\tret', '\tnop\n\tret'), [widget]: once('return 42;', 'return 41;') });
  const classified = await classifyPatch(parseUnifiedDiff(text), text.split('\n'), parser, fixtureTree);
  assert.deepEqual(
    classified.files.map((f) => [f.path, f.language, f.basis]),
    [
      ['arch/entry.S', 'assembly', 'hunks'],
      ['kernel/widget.c', 'c', 'source'],
    ],
  );
  assert.deepEqual(
    classified.originals.map((o) => o.path),
    ['kernel/widget.c'],
  );
});
