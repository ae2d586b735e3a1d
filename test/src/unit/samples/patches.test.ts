import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSamples, run, samplePath, samplesDir, symbols } from './binutils';

const patchDir = samplePath('patches');
const patches = readdirSync(patchDir).filter((f) => f.endsWith('.patch'));

before(() => buildSamples());

test('there is a patch for each hazard the checks look for', () => {
  assert.ok(patches.length >= 4, patches.join(', '));
});

test('every patch is a git-style diff of existing sample files and applies cleanly', () => {
  for (const file of patches) {
    const text = readFileSync(path.join(patchDir, file), 'utf8');
    const targets = [...text.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)];
    assert.ok(targets.length > 0, `${file} has no diff --git header`);
    for (const [, from, to] of targets) {
      assert.equal(from, to, file);
      assert.ok(existsSync(samplePath(from)), `${file} patches missing ${from}`);
    }
    run('patch', ['-p1', '--dry-run', '--quiet', '-d', samplesDir, '-i', path.join(patchDir, file)]);
  }
});

test('every patched target still builds and keeps its functions', () => {
  const original = symbols(samplePath('build', 'target', 'sample-target'));
  for (const file of patches) {
    const tree = mkdtempSync(path.join(tmpdir(), 'lpl-patched-'));
    try {
      for (const part of ['Makefile', 'target', 'include']) cpSync(samplePath(part), path.join(tree, part), { recursive: true });
      run('patch', ['-p1', '--quiet', '-d', tree, '-i', path.join(patchDir, file)]);
      run('make', ['-s', '-C', tree, 'build/target/sample-target']);
      const patched = symbols(path.join(tree, 'build', 'target', 'sample-target'));
      const lost = [...original.keys()].filter((name) => /^[Tt]$/.test(original.get(name)?.type ?? '') && !patched.has(name));
      assert.deepEqual(lost, [], `${file} loses functions`);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
});
