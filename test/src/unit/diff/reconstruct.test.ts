import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { reconstructAfter } from '../../../../server/out/diff/reconstruct';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { fromRoot } from '../../support/paths';
import { diffOutput, inTempDir, patchTree, prng } from './oracle';

const samples = fromRoot('samples');

function reconstructAll(patchText: string, root: string): Map<string, string> {
  const out = new Map<string, string>();
  const parsed = parseUnifiedDiff(patchText);
  assert.deepEqual(parsed.problems, []);
  for (const file of parsed.files) {
    const before = file.oldPath ? readFileSync(path.join(root, file.oldPath), 'utf8') : '';
    const result = reconstructAfter(before, file);
    assert.ok(result.applied, JSON.stringify(result.hunks.filter((h) => !h.applied).map((h) => h.number)));
    out.set(file.newPath ?? '', result.applied.after);
  }
  return out;
}

test('each sample patch rebuilds the same files GNU patch writes', () => {
  for (const name of readdirSync(path.join(samples, 'patches'))) {
    inTempDir((dir) => {
      for (const part of ['target', 'include']) cpSync(path.join(samples, part), path.join(dir, part), { recursive: true });
      const patchFile = path.join(samples, 'patches', name);
      const ours = reconstructAll(readFileSync(patchFile, 'utf8'), samples);
      patchTree(dir, patchFile);
      for (const [file, text] of ours) assert.equal(text, readFileSync(path.join(dir, file), 'utf8'), `${name}: ${file}`);
    });
  }
});

/** Random line edits of a real source, including its last line and its final newline. */
function edit(text: string, random: () => number): string {
  const lines = text.split('\n');
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * lines.length);
    const what = random();
    if (what < 0.3) lines.splice(at, 1 + Math.floor(random() * 4));
    else if (what < 0.6) lines.splice(at, 0, `\tinserted_${i}();`, '');
    else lines[at] = `${lines[at] ?? ''} /* changed ${i} */`;
  }
  const joined = lines.join('\n');
  return random() < 0.2 ? joined.replace(/\n+$/, '') : joined;
}

test('random edits of every sample C file: git diff and diff -u at 0, 1 and 3 lines of context rebuild the edited file', () => {
  const random = prng(20240611);
  const sources = readdirSync(path.join(samples, 'target')).filter((f) => f.endsWith('.c'));
  inTempDir((dir) => {
    for (const source of sources) {
      const before = readFileSync(path.join(samples, 'target', source), 'utf8');
      for (let round = 0; round < 4; round++) {
        const after = edit(before, random);
        writeFileSync(path.join(dir, 'a.c'), before);
        writeFileSync(path.join(dir, 'b.c'), after);
        for (const context of [0, 1, 3]) {
          for (const [command, args] of [
            ['git', ['diff', '--no-index', `-U${context}`, 'a.c', 'b.c']],
            ['diff', [`-U${context}`, 'a.c', 'b.c']],
          ] as const) {
            const text = diffOutput(command, [...args], dir);
            const parsed = parseUnifiedDiff(text);
            assert.deepEqual(parsed.problems, [], `${command} -U${context} of ${source}`);
            const result = reconstructAfter(before, parsed.files[0]).applied;
            assert.ok(result?.after === after, `${command} -U${context}, ${source} round ${round}`);
          }
        }
      }
    }
  });
});

test('a hunk whose lines moved is applied at the nearest match, with the offset patch would report', () => {
  const original = readFileSync(path.join(samples, 'target', 'sched.c'), 'utf8');
  const shifted = '/* one */\n/* two */\n/* three */\n' + original;
  const patchText = readFileSync(path.join(samples, 'patches', 'update-curr-partly-inlined.patch'), 'utf8');
  const file = parseUnifiedDiff(patchText).files[0];
  const result = reconstructAfter(shifted, file).applied;
  assert.ok(result);
  assert.equal(result.placements[0].offset, 3);
  inTempDir((dir) => {
    writeFileSync(path.join(dir, 'sched.c'), shifted);
    writeFileSync(path.join(dir, 'p.patch'), patchText.replace(/target\/sched\.c/g, 'sched.c'));
    patchTree(dir, path.join(dir, 'p.patch'));
    assert.equal(result.after, readFileSync(path.join(dir, 'sched.c'), 'utf8'));
  });
});

test('a hunk that matches nowhere is refused with its number and header, like patch refuses it', () => {
  const patchText = readFileSync(path.join(samples, 'patches', 'update-curr-partly-inlined.patch'), 'utf8');
  const file = parseUnifiedDiff(patchText).files[0];
  const result = reconstructAfter(readFileSync(path.join(samples, 'target', 'proc.c'), 'utf8'), file);
  assert.equal(result.applied, undefined);
  assert.deepEqual(
    result.hunks.map((h) => [h.number, h.applied, h.at]),
    [[1, false, 55]],
  );
});

test('11,000 hunks that match nowhere each FAIL at once: a line the file lacks is found missing in its index, not by a scan per hunk (20 s before)', () => {
  const source = Array.from({ length: 11_000 }, (_, i) => `int f${i}(int x)\n{\n\tint y = x;\n\treturn y + ${i};\n}\n\n`).join('');
  const hunks = Array.from({ length: 11_000 }, (_, i) => `@@ -${i * 6 + 3},2 +${i * 6 + 3},2 @@\n \tint y = x;\n-\treturn z + ${i};\n+\treturn y - ${i};\n`);
  const file = parseUnifiedDiff(`--- a/t.c\n+++ b/t.c\n${hunks.join('')}`).files[0];
  const started = Date.now();
  const result = reconstructAfter(source, file);
  assert.equal(result.hunks.filter((h) => !h.applied).length, 11_000);
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
});
