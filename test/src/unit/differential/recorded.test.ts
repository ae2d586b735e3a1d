import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disagreementKey, judgeAgainstTable } from '../../differential/core/allowed';
import { generateVariants } from '../../differential/core/generate';
import { agreementLines, judgeVariants } from '../../differential/core/judging';
import { readRecording, sha256 } from '../../differential/core/recording';
import { allLoaders } from '../../differential/core/registry';
import type { Verdict } from '../../differential/core/variant';

// Issue 16 without a VM: the variants a live run recorded (npm run differential -- --record),
// regenerated from the recorded seed, every SAMPLE_EVERY-th judged by our loaders against the real
// verdicts. A disagreement docs/differential.md does not list fails.
const SAMPLE_EVERY = 4;

void allLoaders().then((loaders) => {
  for (const loader of loaders) {
    const recording = readRecording(loader.name);
    const skip = loader.unavailable() ?? (recording ? undefined : `no recording of ${loader.name}: npm run differential -- --record --loader ${loader.name}`);
    test(
      `${loader.name}: a fixed sample of the generated variants gets the verdicts the real loader recorded${recording ? ` (${Object.values(recording.versions).join('; ')})` : ''}`,
      { skip },
      async (t) => {
        const bases = loader.bases();
        for (const base of bases)
          assert.equal(
            sha256(base.bytes),
            recording!.bases[base.name],
            `${base.file} is not the file the verdicts were recorded for: re-record (npm run differential -- --record)`,
          );
        const variants = generateVariants(bases, loader.mutators, { seed: recording!.seed, perBase: recording!.perBase });
        assert.deepEqual(
          variants.map((v) => `${v.id} ${v.mutator}: ${v.description}`),
          recording!.variants.map((v) => `${v.id} ${v.mutator}: ${v.description}`),
          'the generator makes the variants it made when the verdicts were recorded (re-record after changing a mutator)',
        );
        const real = new Map<string, Verdict>(recording!.variants.map((v) => [v.id, v.real]));
        const sample = variants.filter((_, i) => i % SAMPLE_EVERY === 0);
        const agreements = await judgeVariants(loader, sample, real);
        for (const line of agreementLines(agreements)) t.diagnostic(line);
        const { unlisted } = judgeAgainstTable(
          loader.name,
          agreements.flatMap((a) => a.disagreements),
        );
        assert.deepEqual(
          unlisted.map((d) => `${d.variant.id} (${d.variant.description}): ${disagreementKey(d)}`),
          [],
          'disagreements docs/differential.md does not list',
        );
      },
    );
  }
});
