import { Random } from '../../fuzz/random';
import { Base, hash32, Mutator } from './mutator';
import type { Variant } from './variant';

export interface GenerateOptions {
  seed: number;
  /** Variants wanted from each base. */
  perBase: number;
}

/**
 * `perBase` variants of each base, each one change: draw n picks a mutator and lets it choose
 * with a generator of its own (Random.forInput(seed ^ base, n)), so a variant depends only on the
 * seed, its base and its number. Repeats of a change already made are skipped, as are mutators
 * that do not apply; both are bounded so a small base ends the loop.
 */
export function generateVariants(bases: readonly Base[], mutators: readonly Mutator[], options: GenerateOptions): Variant[] {
  const variants: Variant[] = [];
  for (const base of bases) {
    const seen = new Set<string>();
    for (let n = 0, made = 0; made < options.perBase && n < options.perBase * 20; n++) {
      const rng = Random.forInput((options.seed ^ hash32(base.name)) >>> 0, n);
      const mutator = rng.pick(mutators);
      const mutation = mutator.mutate({ ...base, bytes: Buffer.from(base.bytes) }, rng);
      if (!mutation || seen.has(`${mutator.name}: ${mutation.description}`)) continue;
      seen.add(`${mutator.name}: ${mutation.description}`);
      variants.push({ id: `${base.name}.${n}`, base: base.name, mutator: mutator.name, description: mutation.description, bytes: mutation.bytes });
      made++;
    }
  }
  return variants;
}
