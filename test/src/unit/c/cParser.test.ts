import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cGrammarPath, createCParser } from '../../../../server/out/c/cParser';
import { distDir } from '../../support/paths';

test('the C grammar loads from the bundle (dist/) and parses C without ERROR nodes', async () => {
  for (const wasm of ['web-tree-sitter.wasm', 'tree-sitter-c.wasm']) assert.ok(existsSync(path.join(distDir, wasm)), `${wasm} is in dist/`);
  const parser = await createCParser(distDir);
  assert.equal(cGrammarPath(), path.join(distDir, 'tree-sitter-c.wasm'));
  const tree = parser.parse('struct task_struct { int pid; };\nint f(struct task_struct *t) { return t->pid; }\n');
  assert.ok(tree);
  assert.equal(tree.rootNode.hasError, false);
  assert.deepEqual(
    tree.rootNode.namedChildren.map((n) => n?.type),
    ['struct_specifier', 'function_definition'],
  );
  const broken = parser.parse('int f( { return');
  assert.equal(broken?.rootNode.hasError, true, 'and it does report errors, so the check above can fail');
  tree.delete();
  broken?.delete();
});
