import * as os from 'node:os';
import * as path from 'node:path';
import { disagreementKey, judgeAgainstTable } from './core/allowed';
import { generateVariants } from './core/generate';
import { agreementLines, judgeVariants } from './core/judging';
import { allLoaders } from './core/registry';
import { readRecording, writeRecording } from './core/recording';

// `npm run differential [-- --record | --recorded] [--loader NAME] [--per-base N]`: every loader in loaders/,
// its variants in one session of its real machine and in our judges, the verdicts compared with
// docs/differential.md's allowed differences. --record writes the real verdicts into
// test/fixtures/differential/<loader>.json (what `npm test` judges a fixed sample against).
function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<number> {
  const record = process.argv.includes('--record');
  const perBase = option('--per-base');
  let failed = false;
  for (const loader of await allLoaders(option('--loader'))) {
    const recorded = process.argv.includes('--recorded') ? readRecording(loader.name) : undefined;
    if (process.argv.includes('--recorded') && !recorded) {
      console.log(`${loader.name}: SKIPPED: no recording (npm run differential -- --record --loader ${loader.name})`);
      continue;
    }
    const why = loader.unavailable() ?? (recorded ? undefined : loader.realUnavailable());
    if (why) {
      console.log(`${loader.name}: SKIPPED: ${why}`);
      continue;
    }
    const generate = { ...loader.generate, ...(perBase ? { perBase: Number(perBase) } : {}) };
    const bases = loader.bases();
    const variants = generateVariants(bases, loader.mutators, generate);
    console.log(`${loader.name}: ${variants.length} variants of ${bases.length} bases (seed ${generate.seed}, ${generate.perBase} per base)`);
    // --recorded: our judges against the recorded real verdicts, no VM (after a fix to our loader).
    const real = recorded
      ? { versions: recorded.versions, verdicts: new Map(recorded.variants.map((v) => [v.id, v.real])), seconds: 0, boots: 0, restores: 0 }
      : await loader.runReal(variants, (line) => console.log(`${loader.name}: ${line}`));
    console.log(
      `${loader.name}: real run ${real.seconds.toFixed(1)} s (load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}), ${real.boots} boot(s), ${real.restores} restore(s) from its checkpoint, on ${Object.values(real.versions).join('; ')}`,
    );
    // Recorded before our judges run: what the real machine said is kept whatever they then do.
    if (record && !recorded) {
      const file = writeRecording(
        { loader: loader.name, seed: generate.seed, perBase: generate.perBase, recorded: new Date().toISOString(), versions: real.versions },
        bases,
        variants,
        real.verdicts,
      );
      console.log(`${loader.name}: recorded ${real.verdicts.size} verdicts in ${path.relative(process.cwd(), file)}`);
    }
    const agreements = await judgeVariants(loader, variants, real.verdicts);
    for (const line of agreementLines(agreements)) console.log(`${loader.name}: ${line}`);
    const { unlisted, stale } = judgeAgainstTable(
      loader.name,
      agreements.flatMap((a) => a.disagreements),
    );
    for (const d of unlisted) console.log(`${loader.name}: UNLISTED ${d.variant.id} (${d.variant.description}): ${disagreementKey(d)}`);
    for (const k of stale) console.log(`${loader.name}: STALE row of docs/differential.md: ${k}`);
    if (unlisted.length || stale.length) failed = true;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
