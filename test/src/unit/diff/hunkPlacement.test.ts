import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseUnifiedDiff } from '../../../../server/out/diff/unifiedDiff';
import { inTempDir, prng } from './oracle';
import { linuxSourceTree, noLinuxSource } from '../../support/linuxSourceTree';
import { gnuPatch, ourStrip, ourVerdict, patchFindsFile, unifiedDiff, Verdict } from './patchOracle';

/*
 * Hunk placement against GNU patch 2.7 (`patch --dry-run --verbose`): for each variant, whether
 * each hunk applies, at which line, with which fuzz and offset, whether the patch is found
 * reversed, and the file patch writes. The variants are those a kernel patch meets when the
 * tree is not the one it was made on.
 */

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Kernel-style C with the repeats real code has (`return 0;`, `}`, blank lines), so a hunk can match in more than one place. */
function cFile(random: Random, functions: number): string {
  const body = ['\tint y = x;', '\treturn 0;', '\tif (!x)', '\t\treturn -EINVAL;', '\tspin_lock(&lock);', '\tspin_unlock(&lock);', '', '\tx++;'];
  const lines: string[] = ['#include <linux/kernel.h>', ''];
  for (let f = 0; f < functions; f++) {
    lines.push(`static int fn_${f}(int x)`, '{');
    const length = 3 + Math.floor(random() * 8);
    for (let i = 0; i < length; i++) lines.push(random() < 0.25 ? `\ty += ${f * 10 + i};` : pick(random, body));
    lines.push('}', '');
  }
  return lines.join('\n');
}

/** The fix: a few lines changed, added or removed in a few functions. */
function edit(text: string, random: Random): string {
  const lines = text.split('\n');
  for (let i = 0, edits = 1 + Math.floor(random() * 5); i < edits; i++) {
    const at = 2 + Math.floor(random() * (lines.length - 3));
    const what = random();
    if (what < 0.3) lines.splice(at, 1 + Math.floor(random() * 2));
    else if (what < 0.65) lines.splice(at, 0, `\tfixed_${i}(x);`);
    else lines[at] = `${lines[at]} /* fixed ${i} */`;
  }
  return lines.join('\n');
}

/** Lines that are not in the patch's tree: another kernel version's additions above the hunks. */
function insertLines(text: string, random: Random, count: number): string {
  const lines = text.split('\n');
  for (let i = 0; i < count; i++) lines.splice(Math.floor(random() * lines.length), 0, `/* upstream ${i} */`);
  return lines.join('\n');
}

/** A context line of the patch changed in the tree (what fuzz is for), at its first, last or a middle context line. */
function driftContext(text: string, patchText: string, random: Random): string {
  const lines = text.split('\n');
  const hunks = parseUnifiedDiff(patchText).files[0]?.hunks ?? [];
  const hunk = pick(random, hunks);
  const context = hunk.lines.filter((l) => l.kind === 'context');
  if (!context.length) return text;
  const line = pick(random, [context[0], context[context.length - 1], pick(random, context)]);
  if (line.oldLine !== undefined) lines[line.oldLine - 1] = `${lines[line.oldLine - 1]} /* drifted */`;
  return lines.join('\n');
}

/** The patch itself damaged: a context line that exists nowhere in the tree. */
function corruptPatch(patchText: string, random: Random): string {
  const lines = patchText.split('\n');
  const context = lines.map((l, i) => (l.startsWith(' ') ? i : -1)).filter((i) => i >= 0);
  if (!context.length) return patchText;
  lines[pick(random, context)] = ' \tno_such_line();';
  return lines.join('\n');
}

/**
 * Hunk headers wrong by up to 30 lines, and the last one at 2^32 (patch then searches up from
 * the end of the file). Only the last, and only one with old lines: GNU patch tries every offset
 * down to -2^32 for a hunk after it, and copies 2^32 empty lines before a pure insertion there
 * (minutes; this code takes neither).
 */
function renumber(patchText: string, random: Random): string {
  const headers = patchText.match(/^@@ -\d+/gm)?.length ?? 0;
  let seen = 0;
  return patchText.replace(/^@@ -(\d+)(,0 )?/gm, (_, n: string, empty?: string) => {
    const far = ++seen === headers && !empty && random() < 0.5;
    return `@@ -${far ? 4294967296 : Math.max(1, Number(n) + Math.floor(random() * 60) - 30)}${empty ?? ''}`;
  });
}

/** The hunks in reverse order: each guess then lies in lines an earlier hunk already wrote (patch's "misordered hunks"). */
function reorder(patchText: string): string {
  const [header, ...hunks] = patchText.split(/^(?=@@ )/m);
  return (
    header +
    hunks
      .reverse()
      .map((h) => (h.endsWith('\n') ? h : `${h}\n`))
      .join('')
  );
}

interface Variant {
  kind: string;
  tree: string;
  patchText: string;
}

function variants(original: string, fixed: string, dir: string, random: Random): Variant[] {
  const patchText = unifiedDiff(dir, original, fixed, ['a/src/f.c', 'b/src/f.c'], pick(random, [0, 1, 3, 3, 5]));
  return [
    { kind: 'exact', tree: original, patchText },
    { kind: 'shifted', tree: insertLines(original, random, 1 + Math.floor(random() * 40)), patchText },
    { kind: 'fuzzed', tree: driftContext(original, patchText, random), patchText },
    { kind: 'shifted+fuzzed', tree: driftContext(insertLines(original, random, 5), patchText, random), patchText },
    { kind: 'reversed', tree: fixed, patchText },
    { kind: 'reversed+shifted', tree: insertLines(fixed, random, 7), patchText },
    { kind: 'corrupted', tree: original, patchText: corruptPatch(patchText, random) },
    { kind: 'renumbered', tree: insertLines(original, random, 3), patchText: renumber(patchText, random) },
    { kind: 'reordered', tree: insertLines(original, random, 2), patchText: reorder(patchText) },
  ];
}

interface Tally {
  variants: number;
  agreed: number;
  hunks: number;
  hunksAgreed: number;
  offsets: number;
  fuzzed: number;
  failed: number;
  reversed: number;
  /** Variants on which GNU patch crashed: the hunks it printed before are compared, not the text. */
  crashed: number;
}

const tally = (): Tally => ({ variants: 0, agreed: 0, hunks: 0, hunksAgreed: 0, offsets: 0, fuzzed: 0, failed: 0, reversed: 0, crashed: 0 });

/** Runs one variant through both and records what agreed; the disagreements are returned for the assertion message. */
function compare(dir: string, variant: Variant, counts: Map<string, Tally>): string | undefined {
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'f.c'), variant.tree);
  writeFileSync(path.join(dir, 'p.patch'), variant.patchText);
  const file = parseUnifiedDiff(variant.patchText).files[0];
  if (!file) return undefined;
  const theirs = gnuPatch(dir, path.join(dir, 'p.patch'), 1, 'src/f.c');
  const ours = ourVerdict(variant.tree, file);
  const count = counts.get(variant.kind) ?? tally();
  counts.set(variant.kind, count);
  count.variants++;
  count.hunks += theirs.hunks.length;
  count.hunksAgreed += theirs.hunks.filter((h, i) => JSON.stringify(h) === JSON.stringify(ours.hunks[i])).length;
  count.offsets += theirs.hunks.filter((h) => h.applied && h.offset).length;
  count.fuzzed += theirs.hunks.filter((h) => h.fuzz).length;
  count.failed += theirs.hunks.filter((h) => !h.applied).length;
  count.reversed += theirs.reversed ? 1 : 0;
  count.crashed += theirs.crashed ? 1 : 0;
  if (same(theirs, ours)) {
    count.agreed++;
    return undefined;
  }
  return `${variant.kind}:\npatch: ${JSON.stringify({ ...theirs, text: theirs.text?.length })}\nours:  ${JSON.stringify({ ...ours, text: ours.text?.length })}\n${variant.patchText}`;
}

function same(theirs: Verdict, ours: Verdict): boolean {
  const compared = theirs.crashed === undefined ? ours.hunks : ours.hunks.slice(0, theirs.hunks.length);
  return theirs.reversed === ours.reversed && JSON.stringify(theirs.hunks) === JSON.stringify(compared) && (theirs.crashed !== undefined || theirs.text === ours.text);
}

function report(counts: Map<string, Tally>): string {
  return [...counts]
    .map(
      ([kind, c]) =>
        `${kind}: ${c.agreed}/${c.variants} variants, ${c.hunksAgreed}/${c.hunks} hunks (patch: ${c.offsets} offset, ${c.fuzzed} fuzzed, ${c.failed} FAILED, ${c.reversed} reversed${c.crashed ? `; patch crashed on ${c.crashed}` : ''})`,
    )
    .join('\n');
}

function assertAgreement(t: { diagnostic(message: string): void }, counts: Map<string, Tally>, disagreements: string[]): void {
  for (const line of report(counts).split('\n')) t.diagnostic(line);
  assert.deepEqual(disagreements.slice(0, 3), [], report(counts));
  const total = [...counts.values()].reduce((sum, c) => ({ ...sum, offsets: sum.offsets + c.offsets, fuzzed: sum.fuzzed + c.fuzzed, failed: sum.failed + c.failed }), tally());
  // The variants must exercise what they are named for, or agreement says nothing.
  assert.ok(total.offsets > 0 && total.fuzzed > 0 && total.failed > 0, report(counts));
  assert.ok((counts.get('reversed')?.reversed ?? 0) > 0, report(counts));
}

test('hunk placement agrees with GNU patch hunk by hunk: exact, shifted, fuzzed, reversed, corrupted and renumbered variants of generated C', (t) => {
  const random = prng(20261204);
  const counts = new Map<string, Tally>();
  const disagreements: string[] = [];
  inTempDir((dir) => {
    for (let round = 0; round < 40; round++) {
      const original = cFile(random, 8 + Math.floor(random() * 30));
      const fixed = edit(original, random);
      if (fixed === original) continue;
      for (const variant of variants(original, fixed, dir, random)) {
        const problem = compare(dir, variant, counts);
        if (problem) disagreements.push(`round ${round} ${problem}`);
      }
    }
  });
  assertAgreement(t, counts, disagreements);
});

test('the -p level found is the first of -p1, -p0, -p2 at which GNU patch finds the file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-strip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  {
    const original = cFile(prng(7), 5);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'src', 'f.c'), original);
    const fixed = original.replace('fn_2(int x)\n{', 'fn_2(int x)\n{\n\tfixed();');
    for (const names of [
      ['a/src/f.c', 'b/src/f.c'],
      ['src/f.c', 'src/f.c'],
      ['linux-6.1.orig/src/f.c', 'linux-6.1/src/f.c'],
      ['home/me/src/f.c', 'home/me/src/f.c'],
      ['f.c', 'f.c'],
    ] as Array<[string, string]>) {
      const patchText = unifiedDiff(dir, original, fixed, names, 3);
      writeFileSync(path.join(dir, 'p.patch'), patchText);
      const strip = await ourStrip(dir, patchText);
      const order = [1, 0, 2, 3];
      const expected = order.find((level) => patchFindsFile(dir, path.join(dir, 'p.patch'), level));
      assert.equal(strip, expected, names.join(' '));
    }
  }
});

test('hunk placement agrees with GNU patch on real kernel files (kernel/sched/core.c, kernel/fork.c, mm/memory.c, fs/namei.c)', { skip: noLinuxSource }, (t) => {
  const kernelTree = linuxSourceTree();
  const random = prng(61);
  const counts = new Map<string, Tally>();
  const disagreements: string[] = [];
  inTempDir((dir) => {
    for (const source of ['kernel/sched/core.c', 'kernel/fork.c', 'mm/memory.c', 'fs/namei.c']) {
      const original = readFileSync(path.join(kernelTree, source), 'utf8');
      for (let round = 0; round < 3; round++) {
        const fixed = edit(original, random);
        for (const variant of variants(original, fixed, dir, random)) {
          const problem = compare(dir, variant, counts);
          if (problem) disagreements.push(`${source} round ${round} ${problem.slice(0, 4000)}`);
        }
      }
    }
  });
  assertAgreement(t, counts, disagreements);
});
