import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import type { Node, Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { readInitializerText } from '../../../../server/out/c/initializerText';
import { findLivepatchConstructs, initializerFromNodes } from '../../../../server/out/c/livepatchConstructs';
import { fixture, fromRoot } from '../../support/paths';

/**
 * The text reader of initializer lists against tree-sitter's nodes, the oracle: on every list
 * of every input it reads at all, it must give what the nodes give, positions included.
 */
let parser: Parser;
before(async () => {
  parser = await createCParser();
});

function lists(node: Node, into: Node[] = []): Node[] {
  const pending = [node];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.type === 'initializer_list') into.push(next);
    for (const child of next.namedChildren) if (child) pending.push(child);
  }
  return into;
}

/** How many lists the text reader read (the rest it left to the nodes); fails on the first that differs. */
function compareAll(source: string, what: string): { read: number; left: number } {
  const tree = parser.parse(source);
  assert.ok(tree);
  let read = 0;
  let left = 0;
  try {
    for (const list of lists(tree.rootNode)) {
      if (list.hasError) continue;
      const fromText = readInitializerText(source, list.startIndex, { line: list.startPosition.row, column: list.startPosition.column });
      if (!fromText) {
        left++;
        continue;
      }
      read++;
      assert.deepEqual(fromText, initializerFromNodes(list), `${what}: the list at ${list.startPosition.row + 1}:${list.startPosition.column + 1}, ${list.text.slice(0, 80)}`);
    }
  } finally {
    tree.delete();
  }
  return { read, left };
}

const tricky = [
  "{ .a = 1, .b = \"x, }\", .c = '}', .d = ',' }",
  '{ .old_name = "f" /* why */, /* lead */ .new_func = g, }',
  '{ .a = f(1, 2), .b = (int[]){1, 2}[0], .c = sizeof(struct s), .d = (void *)&x }',
  '{ .a.b = 1, .c[2] = 3, [4] = 5, .e = { .f = 6, .g = { .h = 7 } }, 8, { 9 } }',
  '{ .5, 0.5, .x = .5 }',
  '{ .name = "caf\u00e9 \u{1F600}", .next = x }',
  '{\r\n\t.a = 1,\r\n\t.b = 2\r\n}',
  '{ . spaced = 1 , .tail = a\n\t+ b /* c */\n\t- d }',
  '{ .s = "a\\"b\\\\", .t = L"w", .u = u8"x" "y" }',
  '{ .cb = { .pre = p, .post = q, }, .cb = { .pre = r } }',
  '{ }',
  '{ 0 }',
  '{ NULL }',
  '{ /* only a comment */ }',
  '{ .x = 1 // line comment\n, .y = 2 }',
  '{ .x = MACRO(a, { b }, [c]), .y = ({ 1; }) }',
];

test('tricky lists: the text gives what the nodes give, or leaves them to the nodes', () => {
  let read = 0;
  for (const [i, list] of tricky.entries()) {
    read += compareAll(`struct s v${i}[] = { ${list}, ${list} };\nstruct s w${i} = ${list};\n`, `case ${i}`).read;
  }
  // Everything but the statement expression is plain C the text reader follows.
  assert.ok(read >= tricky.length * 3, `only ${read} lists read from their text`);
});

test('the fixtures and samples: the text gives what the nodes give', () => {
  const files = [
    ...readdirSync(fixture('c')).map((f) => fixture('c', f)),
    ...['samples/payloads/xen', 'samples/payloads/klp'].flatMap((dir) =>
      readdirSync(fromRoot(dir))
        .filter((f) => f.endsWith('.c'))
        .map((f) => fromRoot(dir, f)),
    ),
  ];
  let read = 0;
  for (const file of files) read += compareAll(readFileSync(file, 'utf8'), path.basename(file)).read;
  assert.ok(read > 10, `only ${read} lists read from their text`);
});

test('random splices of C tokens into a klp_func array: the text agrees with the nodes wherever it reads', () => {
  const pieces = ['{', '}', ',', '.a = ', '"s,}"', "'}'", '/* c */', '// l\n', '\n', '(', ')', '[', ']', 'x', '0', 'NULL', '#if 1\n', '\\\n', ';', '.', '=', ' '];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const base = 'static struct klp_func funcs[] = { { .old_name = "a", .new_func = b, }, { .old_name = "c" }, { } };\n';
  let read = 0;
  for (let i = 0; i < 400; i++) {
    let text = base;
    for (let k = 0; k < 1 + random(3); k++) {
      const at = 34 + random(base.length - 40);
      text = text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
    }
    read += compareAll(text, `splice ${i}: ${JSON.stringify(text)}`).read;
  }
  assert.ok(read > 100, `only ${read} lists read from their text`);
});

test('a klp_func array with an error is read from its nodes, entries and sentinel as before', () => {
  const source = 'static struct klp_func funcs[] = {\n\t{ .old_name = "a", .new_func = b, },\n\t{ .old_name = "c", .new_func = ) },\n\t{ }\n};\n';
  const tree = parser.parse(source);
  assert.ok(tree);
  const [array] = findLivepatchConstructs(tree);
  tree.delete();
  assert.equal(array.terminated, true);
  assert.deepEqual(
    array.entries.map((e) => e.name),
    ['a', 'c'],
  );
});

test('a file that starts with blanks (the root node starts after them): the entries are read where they are', () => {
  const array = 'static struct klp_func funcs[] = {\n\t{ .old_name = "a", .new_func = b, },\n\t{ .old_name = "c" },\n\t{ }\n};\n';
  const read = (text: string) => {
    const tree = parser.parse(text);
    assert.ok(tree);
    const [found] = findLivepatchConstructs(tree);
    tree.delete();
    return found.entries.map((e) => [e.name, e.fieldRanges.old_name.start.line, e.fieldRanges.old_name.start.column]);
  };
  assert.deepEqual(
    read(`    \n\n  ${array}`),
    read(array).map(([name, line, column]) => [name, Number(line) + 2, Number(column) + (line === 0 ? 2 : 0)]),
  );
  assert.deepEqual(
    read(array).map(([name]) => name),
    ['a', 'c'],
  );
});
