import { mutateC } from './cMutator';
import { mutateDiff } from './diffMutator';
import { mutateElf } from './elfMutator';
import { Harness, RunResult } from './harness';
import { Random } from './random';
import { applyRecipe, FuzzKind, isBinaryKind, Recipe } from './recipe';
import { inputName, seedBytes, seedsOf } from './seeds';
import { boundSignature, messageSignature, thrownSignature } from './signature';

/** Input `n` of a campaign: its kind in turn, a seed and mutations from the input's own generator. */
export function makeRecipe(seed: number, n: number, kinds: readonly FuzzKind[]): Recipe {
  const r = Random.forInput(seed, n);
  const kind = kinds[n % kinds.length];
  const sample = r.pick(seedsOf(kind));
  const bytes = seedBytes(sample);
  const ops = isBinaryKind(kind) ? mutateElf(r, bytes) : kind === 'diff' ? mutateDiff(r, bytes.toString('utf8')) : mutateC(r, bytes.toString('utf8'));
  return { kind, sample, ops };
}

export interface Failure {
  signature: string;
  detail: string;
}

const boundName = (bound: string): string => (/^no result/.test(bound) ? 'timeout' : /^heap/.test(bound) ? 'heap exhausted' : /^memory/.test(bound) ? 'memory bound' : 'worker death');

/** What is wrong with one run: something thrown, a bound crossed, or messages that do not say where. */
export function failuresOf(recipe: Recipe, result: RunResult): Failure[] {
  switch (result.outcome) {
    case 'thrown':
      return [{ signature: thrownSignature(recipe.kind, result.step, result.error), detail: `${result.error.name}: ${result.error.message}\n${result.error.stack}` }];
    case 'bound':
      return [{ signature: boundSignature(recipe.kind, result.step, boundName(result.bound), recipe.ops.map((o) => o.what)), detail: result.bound }];
    case 'ok':
      return [...new Set(result.problems)].map((p) => ({ signature: messageSignature(recipe.kind, p), detail: p }));
  }
}

export async function runRecipe(harness: Harness, recipe: Recipe, name: string): Promise<{ result: RunResult; failures: Failure[] }> {
  const result = await harness.run({ kind: recipe.kind, name, bytes: applyRecipe(recipe, seedBytes(recipe.sample)) });
  return { result, failures: failuresOf(recipe, result) };
}

export interface FoundFailure extends Failure {
  count: number;
  recipe: Recipe;
  name: string;
}

export interface CampaignSummary {
  seed: number;
  inputs: number;
  perKind: Partial<Record<FuzzKind, number>>;
  rejections: number;
  seconds: number;
  failures: Map<string, FoundFailure>;
  slowest?: { name: string; ms: number; step: string; recipe: Recipe };
  peakRssMb: number;
}

export interface CampaignOptions {
  seed: number;
  kinds: readonly FuzzKind[];
  /** Stop after this many inputs, or after this many seconds, whichever comes first. */
  inputs?: number;
  seconds?: number;
  harness: Harness;
  /** A new signature, as soon as it is found (the CLI writes its reproducer). */
  onNewFailure?: (failure: FoundFailure) => void;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const limit = options.inputs ?? Infinity;
  const summary: CampaignSummary = { seed: options.seed, inputs: 0, perKind: {}, rejections: 0, seconds: 0, failures: new Map(), peakRssMb: 0 };
  for (let n = 0; n < limit && performance.now() < deadline; n++) {
    const recipe = makeRecipe(options.seed, n, options.kinds);
    const name = inputName(recipe.kind, n, recipe.sample);
    const { result, failures } = await runRecipe(options.harness, recipe, name);
    summary.inputs++;
    summary.perKind[recipe.kind] = (summary.perKind[recipe.kind] ?? 0) + 1;
    if (result.outcome === 'ok') summary.rejections += result.rejections;
    if (result.outcome !== 'bound' && (!summary.slowest || result.ms > summary.slowest.ms)) summary.slowest = { name, ms: result.ms, step: result.step, recipe };
    for (const failure of failures) {
      const known = summary.failures.get(failure.signature);
      if (known) known.count++;
      else {
        const found = { ...failure, count: 1, recipe, name };
        summary.failures.set(failure.signature, found);
        options.onNewFailure?.(found);
      }
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.peakRssMb = options.harness.peakRssMb;
  return summary;
}
