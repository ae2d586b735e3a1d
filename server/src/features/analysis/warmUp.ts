import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzePatch } from '../../checks/patch';

/**
 * The first analysis in a fresh worker runs cold: V8 compiles tree-sitter's WASM functions
 * lazily and tiers the hot ones up, and the analysis' own code is interpreted until it is
 * optimised. On a kernel-sized patch that is 0.4-0.5 s of the first analysis' CPU time. The
 * worker pays it once when it starts, while no document waits for it, by analysing a patch of
 * its own against a source root of its own (a generated file in a temporary folder).
 */
const functions = 150;

function sampleSource(): string {
  const parts: string[] = ['#include <linux/kernel.h>\n#define SAMPLE_MAX(a, b) ((a) > (b) ? (a) : (b))\n', 'struct sample { int a; char *b[4]; unsigned c: 3; };\n'];
  for (let i = 0; i < functions; i++) {
    parts.push(
      `static int g${i} = ${i};\nstatic const char *n${i}[] = { "a", "b" };\n`,
      `static inline unsigned long f${i}(struct sample *p, int x)\n{\n\tint y = x, z[2] = { 1, 2 };\n\tstatic int calls;\n\n\tif (p->a > y)\n\t\treturn SAMPLE_MAX(y, ${i}) + z[0];\n\tcalls++;\n\treturn g${i} + (unsigned long)n${i}[0];\n}\n\n`,
    );
  }
  return parts.join('');
}

/** Each function's `return g...` line changed, and lines added: each hunk a few lines off where its header says. */
function samplePatch(source: string): string {
  const lines = source.split('\n');
  const hunks: string[] = ['--- a/sample.c\n+++ b/sample.c\n'];
  for (let at = 0, n = 0; at < lines.length; at++) {
    if (!lines[at].startsWith('\treturn g')) continue;
    const start = at - 1 + 3;
    hunks.push(`@@ -${start},3 +${start},4 @@ ${lines[at - 8]}\n ${lines[at - 1]}\n-${lines[at]}\n+${lines[at].replace('+', '-')}\n+\tpr_info("%d", ${n++});\n ${lines[at + 1]}\n`);
  }
  return hunks.join('');
}

/** Stops early (between steps) when `wanted()` says a request is waiting; never throws. */
export async function warmUp(wanted: () => boolean): Promise<void> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(path.join(tmpdir(), 'livepatch-lens-warm-up-'));
    const source = sampleSource();
    const patch = samplePatch(source);
    for (let round = 0; round < 2 && !wanted(); round++) {
      // Another original each round: a kept original would spare its parse.
      await writeFile(path.join(dir, 'sample.c'), `${source}/* round ${round} */\n`);
      await analyzePatch(patch, { file: path.join(dir, 'sample.patch'), sourceRoot: dir });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch {
    // A warm-up that cannot run (no temporary folder) only leaves the first analysis cold.
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
