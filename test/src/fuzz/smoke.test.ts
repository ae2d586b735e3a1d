import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign } from './campaign';
import { Harness } from './harness';
import { fuzzKinds } from './recipe';
import { knownMessageGaps } from './regressions';

/**
 * `npm test`'s share of the fuzzer: a fixed seed, a few thousand inputs over every kind, huge
 * sizes rare so it stays under a minute. The same seed always makes the same inputs, so a failure
 * here reproduces with `npm run fuzz -- --seed 20260313 --inputs 2000 --huge 0.002`.
 */
export const smokeSeed = 20260313;
export const smokeInputs = 2000;

const harness = new Harness();
after(() => harness.close());

test(`fuzz smoke: seed ${smokeSeed}, ${smokeInputs} inputs of every kind, no failure`, async (t) => {
  const summary = await runCampaign({ seed: smokeSeed, kinds: fuzzKinds, inputs: smokeInputs, hugeChance: 0.002, harness, known: knownMessageGaps });
  const failures = [...summary.failures.values()];
  const gaps = failures.filter((f) => knownMessageGaps.has(f.signature));
  t.diagnostic(
    `${summary.inputs} inputs in ${summary.seconds.toFixed(1)} s, ${summary.rejections} typed rejections, peak ${summary.peakRssMb} MB; slowest ${summary.slowest?.name} ${summary.slowest?.ms.toFixed(0)} ms`,
  );
  for (const gap of gaps) t.diagnostic(`known message gap (${gap.count}x): ${gap.signature}`);
  assert.equal(summary.inputs, smokeInputs);
  assert.ok(summary.rejections > 0, 'no input was rejected: the mutators no longer reach the decoders');
  const unexpected = failures
    .filter((f) => !knownMessageGaps.has(f.signature))
    .map((f) => `${f.count} x ${f.signature}\n  ${f.name}: ${JSON.stringify(f.recipe)}\n  ${f.detail.split('\n').slice(0, 4).join('\n  ')}`);
  assert.deepEqual(unexpected, []);
});
