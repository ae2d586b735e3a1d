import { mutateC } from './cMutator';
import { mutateDiff } from './diffMutator';
import { mutateElf } from './elfMutator';
import { Harness, RunResult } from './harness';
import { Random } from './random';
import { applyRecipe, FuzzKind, isBinaryKind, Recipe } from './recipe';
import { inputName, seedBytes, seedsOf } from './seeds';
import { boundSignature, messageSignature, thrownSignature } from './signature';

/** Input `n` of a campaign: its kind in turn, a seed and mutations from the input's own generator. */
export function makeRecipe(seed: number, n: number, kinds: readonly FuzzKind[], hugeChance?: number): Recipe {
  const r = Random.forInput(seed, n, hugeChance);
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

const boundName = (bound: string): string =>
  /^no result/.test(bound) ? 'timeout' : /^heap/.test(bound) ? 'heap exhausted' : /^memory/.test(bound) ? 'memory bound' : 'worker death';

/** What is wrong with one run: something thrown, a bound crossed, or messages that do not say where. */
export function failuresOf(recipe: Recipe, result: RunResult): Failure[] {
  switch (result.outcome) {
    case 'thrown':
      return [{ signature: thrownSignature(recipe.kind, result.step, result.error), detail: `${result.error.name}: ${result.error.message}\n${result.error.stack}` }];
    case 'bound':
      return [
        {
          signature: boundSignature(
            recipe.kind,
            result.step,
            boundName(result.bound),
            recipe.ops.map((o) => o.what),
          ),
          detail: result.bound,
        },
      ];
    case 'ok':
      return [...new Set(result.problems)].map((p) => ({ signature: messageSignature(recipe.kind, p), detail: p }));
  }
}

export async function runRecipe(harness: Harness, recipe: Recipe, name: string): Promise<{ result: RunResult; failures: Failure[] }> {
  const result = await harness.run({ kind: recipe.kind, name, bytes: applyRecipe(recipe, seedBytes(recipe.sample)) });
  return { result, failures: failuresOf(recipe, result) };
}

/** The failure again without the detail that varies (the mutation list of a bound's signature). */
const failureClass = (f: Failure): string => f.signature.replace(/ \[.*\]$/, '');

/**
 * Drops the mutations a failure does not need, one at a time, so its reproducer is small and its
 * signature names only the mutations that matter.
 */
async function minimize(harness: Harness, recipe: Recipe, name: string, failure: Failure): Promise<{ recipe: Recipe; failure: Failure }> {
  let best = { recipe, failure };
  for (let i = best.recipe.ops.length - 1; i >= 0 && best.recipe.ops.length > 1; i--) {
    const smaller: Recipe = { ...best.recipe, ops: best.recipe.ops.filter((_, j) => j !== i) };
    const again = (await runRecipe(harness, smaller, name)).failures.find((f) => failureClass(f) === failureClass(failure));
    if (again) best = { recipe: smaller, failure: again };
  }
  return best;
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
  /** How often sizes (repeated lines, table entries, line lengths) are huge; default 0.25. */
  hugeChance?: number;
  /** Signatures that are counted but not minimized or reported as new (known message gaps). */
  known?: ReadonlySet<string>;
  /** A new signature, as soon as it is found (the CLI writes its reproducer). */
  onNewFailure?: (failure: FoundFailure) => void;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const limit = options.inputs ?? Infinity;
  const summary: CampaignSummary = { seed: options.seed, inputs: 0, perKind: {}, rejections: 0, seconds: 0, failures: new Map(), peakRssMb: 0 };
  // A failure's signature before minimizing -> after, so each is minimized once.
  const aliases = new Map<string, string>();
  for (let n = 0; n < limit && performance.now() < deadline; n++) {
    const recipe = makeRecipe(options.seed, n, options.kinds, options.hugeChance);
    const name = inputName(recipe.kind, n, recipe.sample);
    const { result, failures } = await runRecipe(options.harness, recipe, name);
    summary.inputs++;
    summary.perKind[recipe.kind] = (summary.perKind[recipe.kind] ?? 0) + 1;
    if (result.outcome === 'ok') summary.rejections += result.rejections;
    if (result.outcome !== 'bound' && (!summary.slowest || result.ms > summary.slowest.ms)) summary.slowest = { name, ms: result.ms, step: result.step, recipe };
    for (const first of failures) {
      const seen = summary.failures.get(aliases.get(first.signature) ?? first.signature);
      if (seen) {
        seen.count++;
        continue;
      }
      const known = options.known?.has(first.signature) ?? false;
      const { recipe: minimal, failure } = known ? { recipe, failure: first } : await minimize(options.harness, recipe, name, first);
      aliases.set(first.signature, failure.signature);
      const merged = summary.failures.get(failure.signature);
      if (merged) merged.count++;
      else {
        const found = { ...failure, count: 1, recipe: minimal, name };
        summary.failures.set(failure.signature, found);
        if (!known) options.onNewFailure?.(found);
      }
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.peakRssMb = options.harness.peakRssMb;
  return summary;
}
