import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { samplesDir } from './binutils';

/** Every C source and header we ship, outside the build output. */
function cFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'build' ? [] : cFiles(full);
    return /\.[ch]$/.test(entry.name) ? [full] : [];
  });
}

function firstProblem(node: Node): Node | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    const found = child && firstProblem(child);
    if (found) return found;
  }
  return undefined;
}

test('every sample C file parses in tree-sitter without ERROR or MISSING nodes', async () => {
  const parser = await createCParser();
  const files = cFiles(samplesDir);
  assert.ok(files.filter((f) => f.endsWith('.c')).length >= 15, `only ${files.length} files found`);
  for (const file of files) {
    const tree = parser.parse(readFileSync(file, 'utf8'));
    assert.ok(tree, file);
    const problem = firstProblem(tree.rootNode);
    assert.equal(problem, undefined, `${path.relative(samplesDir, file)}:${(problem?.startPosition.row ?? 0) + 1}: ${problem?.type} at "${problem?.text.slice(0, 40)}"`);
  }
});
