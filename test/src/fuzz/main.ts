import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fromRoot } from '../support/paths';
import { CampaignSummary, FoundFailure, runCampaign } from './campaign';
import { defaultBounds, Harness } from './harness';
import { applyRecipe, FuzzKind, fuzzKinds } from './recipe';
import { knownMessageGaps } from './regressions';
import { seedBytes } from './seeds';

const usage = `Usage: npm run fuzz -- [--seconds N] [--inputs N] [--seed S] [--kind elf|xen|klp|diff|c]... [--huge P] [--timeout MS] [--out DIR]

Mutates the built samples (npm run samples) and the sample patches and C sources, and runs
each input through the engine the way the CLI and the language server do:

  elf    the ELF and DWARF readers, the disassembler, the target index, check/inspect
  xen    check/inspect, and the emulator: upload, list, apply, call, dump, revert, unload
  klp    check/inspect. The Linux runtime (insmod, klp transitions) does not exist yet, so klp
         modules are not run in the emulator.
  diff   the LP2xx patch analysis, with the samples as --source-root and without
  c      tree-sitter parsing, the livepatch outline and the LP1xx source analysis

Each input runs in a worker thread with a ${defaultBounds.heapMb} MB heap, at most ${defaultBounds.rssGrowthMb} MB of growth
of the resident memory, and --timeout (default ${defaultBounds.timeoutMs} ms), the last two raised with the input's size
(tree-sitter's parse takes time and memory in proportion). A failure is an exception
that is not one of the engine's typed rejections (signature: its class, the innermost engine
frame, the step), a bound crossed (the step and the mutations), or a rejection or finding that
does not name the file and the offset or line. Each new signature's input, recipe and details
are written to --out (default test/fuzz-out/<seed>/); add the recipe to
test/src/fuzz/regressions.ts to keep it as a test.

  --seconds N   run for N seconds (default 60)
  --inputs N    stop after N inputs
  --seed S      the campaign's seed (default: the time); the same seed gives the same inputs
  --kind K      only these kinds (repeatable; default all)
  --huge P      how often a size (repeated lines, table entries, line length) is huge: 0..1,
                default 0.25 (the smoke in npm test uses 0.002)

Prints inputs tried, failures by unique signature, the slowest input and the peak memory.
Exit status: 0 no failure (known message gaps aside), 1 failures, 2 usage error.`;

function print(summary: CampaignSummary, out: string): void {
  const kinds = Object.entries(summary.perKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`\nseed ${summary.seed}: ${summary.inputs} inputs in ${summary.seconds.toFixed(1)} s (${kinds}); ${summary.rejections} typed rejections`);
  console.log(`failures: ${[...summary.failures.values()].reduce((n, f) => n + f.count, 0)} in ${summary.failures.size} unique signature(s)`);
  for (const f of [...summary.failures.values()].sort((a, b) => b.count - a.count)) {
    const where = knownMessageGaps.has(f.signature) ? 'a known message gap (regressions.ts)' : path.join(out, reproducerDir(f));
    console.log(`  ${String(f.count).padStart(5)} x ${f.signature}\n          first: ${f.name} (${where})`);
  }
  if (summary.slowest)
    console.log(
      `slowest input: ${summary.slowest.name} ${summary.slowest.ms.toFixed(0)} ms (last step ${summary.slowest.step}; ${summary.slowest.recipe.sample}: ${summary.slowest.recipe.ops.map((o) => o.what).join(', ')})`,
    );
  console.log(`peak memory: ${summary.peakRssMb} MB resident`);
}

const reproducerDir = (f: FoundFailure): string => createHash('sha1').update(f.signature).digest('hex').slice(0, 12);

function writeReproducer(out: string, f: FoundFailure): void {
  const dir = path.join(out, reproducerDir(f));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, f.name), applyRecipe(f.recipe, seedBytes(f.recipe.sample)));
  writeFileSync(path.join(dir, 'recipe.json'), `${JSON.stringify({ signature: f.signature, name: f.name, recipe: f.recipe }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'detail.txt'), `${f.signature}\n\n${f.detail}\n`);
  console.log(`new: ${f.signature}`);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seconds: { type: 'string' },
        inputs: { type: 'string' },
        seed: { type: 'string' },
        kind: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        huge: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) return (console.log(usage), 0);
  const number = (name: string, text: string | undefined, fallback: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} expects a non-negative integer, got '${text}'`);
    return value;
  };
  const fraction = (name: string, text: string): number => {
    const value = Number(text);
    if (!(value >= 0 && value <= 1)) throw new Error(`--${name} expects a number from 0 to 1, got '${text}'`);
    return value;
  };
  const kinds = (values.kind ?? [...fuzzKinds]).flatMap((k) => k.split(',')) as FuzzKind[];
  const unknown = kinds.find((k) => !fuzzKinds.includes(k));
  if (unknown) return (console.error(`unknown --kind '${unknown}': expected ${fuzzKinds.join(', ')}`), 2);
  const seed = number('seed', values.seed, Date.now() % 2 ** 31);
  const out = path.resolve(values.out ?? fromRoot('test', 'fuzz-out', String(seed)));
  const harness = new Harness({ ...defaultBounds, timeoutMs: number('timeout', values.timeout, defaultBounds.timeoutMs) });
  try {
    const summary = await runCampaign({
      seed,
      kinds,
      seconds: number('seconds', values.seconds, 60),
      ...(values.huge !== undefined ? { hugeChance: fraction('huge', values.huge) } : {}),
      ...(values.inputs !== undefined ? { inputs: number('inputs', values.inputs, 0) } : {}),
      harness,
      known: knownMessageGaps,
      onNewFailure: (f) => writeReproducer(out, f),
    });
    print(summary, out);
    return [...summary.failures.keys()].some((s) => !knownMessageGaps.has(s)) ? 1 : 0;
  } finally {
    await harness.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
