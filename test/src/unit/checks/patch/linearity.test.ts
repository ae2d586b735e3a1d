import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzePatch } from '../../../../../server/out/checks/patch';

// Issue 13: the hunk search, the hunk classification and the source classification must stay
// linear (or n log n) in the patch. Each shape is analysed at a size and at four times that
// size, which may take at most 8 times the CPU time (2.8 times per doubling: linear code takes
// 4 times, and V8's garbage collection, which rescans what the analysis keeps, grows a little
// faster: 4.5-5.5 times here). A quadratic path takes 16 times as long, and at these sizes
// (files of thousands of functions, patches of tens of thousands of lines) it would dominate.

const functionSource = (i: number): string => `int f${i}(int x)\n{\n\tint y = x;\n\treturn y + ${i};\n}\n\n`;
const header = '--- a/t.c\n+++ b/t.c\n';

interface Shape {
  source?: (n: number) => string;
  patch: (n: number) => string;
}

const shapes: Record<string, Shape> = {
  // Each hunk 3 lines off where its header says: searched for, then classified from both versions.
  'n hunks against the source root': {
    source: (n) => Array.from({ length: n }, (_, i) => functionSource(i)).join(''),
    patch: (n) =>
      header + Array.from({ length: n }, (_, i) => `@@ -${i * 6 + 6},2 +${i * 6 + 6},2 @@ int f${i}(int x)\n \tint y = x;\n-\treturn y + ${i};\n+\treturn y - ${i};\n`).join(''),
  },
  'n hunks without a source root (classified from the hunks)': {
    patch: (n) =>
      header + Array.from({ length: n }, (_, i) => `@@ -${i * 6 + 3},2 +${i * 6 + 3},2 @@ int f${i}(int x)\n \tint y = x;\n-\treturn y + ${i};\n+\treturn y - ${i};\n`).join(''),
  },
  'n added lines in one function': {
    source: () => functionSource(0),
    patch: (n) => `${header}@@ -1,5 +1,${n + 5} @@\n int f0(int x)\n {\n \tint y = x;\n${Array.from({ length: n }, (_, i) => `+\ty += ${i};`).join('\n')}\n \treturn y + 0;\n }\n`,
  },
  'n added global definitions': {
    source: () => functionSource(0),
    patch: (n) => `${header}@@ -6,0 +7,${n} @@\n${Array.from({ length: n }, (_, i) => `+int g${i} = ${i};`).join('\n')}\n`,
  },
};

const sizes: Record<string, number> = {
  'n hunks against the source root': 1000,
  'n hunks without a source root (classified from the hunks)': 4000,
  'n added lines in one function': 10000,
  'n added global definitions': 10000,
};
const growth = 4;
const allowed = 8;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** The least CPU time of three analyses (after one that warms the code up): the machine's other load only ever adds. */
async function bestCpu(shape: Shape, n: number): Promise<{ ms: number; codes: Set<string> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpl-linearity-'));
  try {
    if (shape.source) writeFileSync(path.join(dir, 't.c'), shape.source(n));
    const patch = shape.patch(n);
    const options = { file: 'p.patch', ...(shape.source ? { sourceRoot: dir } : {}) };
    let findings = await analyzePatch(patch, options);
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      // Another file each run: the original's definitions, kept between analyses, would spare its parse.
      if (shape.source) writeFileSync(path.join(dir, 't.c'), `${shape.source(n)}/* run ${run} */\n`);
      const started = cpuMs();
      findings = await analyzePatch(patch, options);
      best = Math.min(best, cpuMs() - started);
    }
    return { ms: best, codes: new Set(findings.map((f) => f.code)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [name, shape] of Object.entries(shapes)) {
  test(`linear in the patch: ${name}, four times the input at most ${allowed} times the CPU time`, async () => {
    const n = sizes[name];
    const single = await bestCpu(shape, n);
    const larger = await bestCpu(shape, growth * n);
    // The analysis did the work, not a refusal: no size bound (LP235) and no malformed patch (LP200).
    for (const codes of [single.codes, larger.codes]) assert.ok(!codes.has('LP235') && !codes.has('LP200'), [...codes].join(' '));
    const ratio = larger.ms / Math.max(single.ms, 1);
    assert.ok(ratio <= allowed, `n=${n}: ${single.ms.toFixed(0)} ms CPU, ${growth}n: ${larger.ms.toFixed(0)} ms CPU (ratio ${ratio.toFixed(2)})`);
  });
}
