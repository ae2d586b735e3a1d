import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { createCParser } from '../../../../server/out/c/cParser';
import { readDefinitions } from '../../../../server/out/c/sourceFacts/definitions';
import { classifyFromSource } from '../../../../server/out/diff/classifySource';
import { reconstructAfter } from '../../../../server/out/diff/reconstruct';
import { keepWindows, touchedWindows } from '../../../../server/out/diff/touchedWindows';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { fromRoot } from '../../support/paths';
import { diffOutput, inTempDir, prng } from './oracle';

let parser: Parser;
before(async () => {
  parser = await createCParser();
});

/** Maps and Sets compared by content. */
const comparable = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v].sort() : v instanceof Set ? [...v].sort() : v));

/** Edits that touch definitions of every kind: inside bodies, headers, struct members, initializers, between definitions. */
function edit(text: string, random: () => number): string {
  const lines = text.split('\n');
  for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
    const at = Math.floor(random() * lines.length);
    const what = random();
    if (what < 0.3) lines.splice(at, 1 + Math.floor(random() * 3));
    else if (what < 0.6) lines.splice(at, 0, `\tint added_${i};`);
    else lines[at] = lines[at].replace(/\b(\d+)\b/, '$1 + 1').replace(/;$/, '; /* x */');
  }
  return lines.join('\n');
}

test('classifying from the windows the hunks touch gives what classifying from the whole patched file gives, and broken C is broken in both', () => {
  const random = prng(7);
  const dir = fromRoot('samples', 'target');
  let compared = 0;
  inTempDir((tmp) => {
    for (const source of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
      const original = readFileSync(path.join(dir, source), 'utf8');
      for (let round = 0; round < 10; round++) {
        writeFileSync(path.join(tmp, 'a.c'), original);
        writeFileSync(path.join(tmp, 'b.c'), edit(original, random));
        const patchText = diffOutput('diff', ['-U2', 'a.c', 'b.c'], tmp);
        const file = parseUnifiedDiff(patchText).files[0];
        if (!file) continue;
        const rebuilt = reconstructAfter(original, file).applied;
        assert.ok(rebuilt);
        const beforeDefs = readDefinitions(parser, source, original);
        const whole = readDefinitions(parser, source, rebuilt.after);
        const windowed = readDefinitions(parser, source, keepWindows(rebuilt.after, touchedWindows(file, rebuilt.placements, beforeDefs)));
        if (whole.syntaxErrors.length) {
          // Broken C (a deleted brace): how far a definition reaches is anyone's guess, but both must say it does not parse (LP203).
          assert.ok(windowed.syntaxErrors.length > 0, `${source} round ${round}: the windows hide a syntax error\n${patchText}`);
          continue;
        }
        const lines = patchText.split('\n');
        const expected = classifyFromSource(file, rebuilt.placements, beforeDefs, whole, lines);
        const actual = classifyFromSource(file, rebuilt.placements, beforeDefs, windowed, lines);
        assert.equal(comparable(actual), comparable(expected), `${source} round ${round}\n${patchText}`);
        compared++;
      }
    }
  });
  assert.ok(compared >= 20, `only ${compared} patches parsed cleanly after the edit`);
});

test('keepWindows empties the lines outside the windows and keeps every line number', () => {
  const text = 'a\nb\nc\nd\ne';
  assert.equal(
    keepWindows(text, [
      { from: 1, to: 2 },
      { from: 3, to: 9 },
    ]),
    '\nb\n\nd\ne',
  );
});
