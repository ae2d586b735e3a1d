import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver-textdocument';
import type { Parser, Tree } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { DocumentTrees } from '../../../../server/out/c/documentTrees';
import { OpenDocuments } from '../../../../server/out/features/openDocuments';
import { fixture } from '../../support/paths';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

/** A small deterministic PRNG, so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snippets = [
  '',
  '\r\n',
  '\n',
  ' ',
  '{',
  '}',
  ';',
  'é',
  '😀',
  '"ü"',
  '/* ñ */',
  'int x;',
  '\tstruct klp_func f = { .old_name = "a" },\r\n',
  'static inline int g(void) { return 1; }\n',
  '#define X 1\n',
  '(',
  ')',
];

/** An offset a real editor could send: never inside a surrogate pair or between \r and \n. */
function boundary(text: string, offset: number): number {
  const code = text.charCodeAt(offset - 1);
  if (code >= 0xd800 && code <= 0xdbff) return offset - 1;
  if (text[offset - 1] === '\r' && text[offset] === '\n') return offset - 1;
  return offset;
}

function randomChange(document: TextDocument, next: () => number) {
  const text = document.getText();
  const a = boundary(text, Math.floor(next() * (text.length + 1)));
  const b = boundary(text, Math.min(text.length, a + Math.floor(next() * 12)));
  const inserted = Array.from({ length: Math.floor(next() * 3) }, () => snippets[Math.floor(next() * snippets.length)]).join('');
  return { range: { start: document.positionAt(a), end: document.positionAt(Math.max(a, b)) }, text: inserted };
}

/**
 * Tree-sitter's error recovery may legitimately differ between an incremental and a fresh parse
 * of broken code, so trees are compared whole when the code parses cleanly; when it does not,
 * every leaf's offsets and row/column must still agree with the text, which is what a wrong
 * edit would break.
 */
function assertSameParse(incremental: Tree, fresh: Tree, text: string, where: string): boolean {
  assert.equal(incremental.rootNode.endIndex, text.length, where);
  if (!fresh.rootNode.hasError) {
    assert.equal(incremental.rootNode.toString(), fresh.rootNode.toString(), where);
    return true;
  }
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const cursor = incremental.walk();
  let more = true;
  while (more) {
    const node = cursor.currentNode;
    const { row, column } = node.startPosition;
    assert.equal(lineStarts[row] + column, node.startIndex, `${where}: ${node.type} at ${row}:${column}`);
    more = cursor.gotoFirstChild() || cursor.gotoNextSibling();
    while (!more && cursor.gotoParent()) more = cursor.gotoNextSibling();
  }
  cursor.delete();
  return false;
}

for (const [name, crlf] of [
  ['LF', false],
  ['CRLF', true],
] as const) {
  test(`random edit sequences (${name}, multi-change events, non-ASCII, undo) give the tree of a fresh parse`, () => {
    const original = readFileSync(fixture('c', 'klp_module.c'), 'utf8');
    let wholeTreeComparisons = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const next = random(seed * (crlf ? 7 : 1));
      let document = TextDocument.create('file:///t.c', 'c', 1, crlf ? original.replace(/\n/g, '\r\n') : original);
      const trees = new DocumentTrees(parser);
      trees.open(document.uri, document.getText());
      // Each event's inverse is pushed, so the text keeps returning to clean states.
      const undo: Array<Array<{ range: { start: Position; end: Position }; text: string }>> = [];
      for (let event = 0; event < 40; event++) {
        let changes = [];
        if (undo.length && next() < 0.45) {
          changes = undo.pop()!;
        } else {
          // A multi-change event: each change's range is against the text the previous change left.
          const inverses = [];
          let scratch = document;
          for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
            const change = randomChange(scratch, next);
            changes.push(change);
            const before = scratch.getText();
            const start = scratch.offsetAt(change.range.start);
            const removed = before.slice(start, scratch.offsetAt(change.range.end));
            scratch = TextDocument.update(TextDocument.create(scratch.uri, 'c', scratch.version, before), [change], scratch.version + 1);
            inverses.unshift({ range: { start: change.range.start, end: scratch.positionAt(start + change.text.length) }, text: removed });
          }
          undo.push(inverses);
        }
        const applied = OpenDocuments.apply(document, changes, document.version + 1);
        document = applied.document;
        for (const step of applied.steps ?? []) trees.edit(document.uri, step.textBefore, step.start, step.oldEnd, step.inserted);
        const incremental = trees.reparse(document.uri, document.getText());
        const fresh = parser.parse(document.getText());
        assert.ok(incremental && fresh);
        if (assertSameParse(incremental, fresh, document.getText(), `seed ${seed}, event ${event}`)) wholeTreeComparisons++;
        fresh.delete();
      }
      trees.close(document.uri);
    }
    assert.ok(wholeTreeComparisons >= 20, `only ${wholeTreeComparisons} clean states were compared whole`);
  });
}

test('a whole-text change (no range) re-opens the document', () => {
  const document = TextDocument.create('file:///w.c', 'c', 1, 'int a;');
  const { document: updated, steps } = OpenDocuments.apply(document, [{ text: 'struct s { int b; };' }], 2);
  assert.equal(steps, undefined);
  assert.equal(updated.getText(), 'struct s { int b; };');
});
