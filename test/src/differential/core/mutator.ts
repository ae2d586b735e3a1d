import type { Random } from '../../fuzz/random';

/** A file the variants are made from: a built sample the real loader accepts. */
export interface Base {
  /** Short name, used in variant ids. */
  name: string;
  file: string;
  bytes: Buffer;
}

/** One change a mutator made: the description says what, the bytes are the changed copy. */
export interface Mutation {
  description: string;
  bytes: Buffer;
}

/**
 * Makes one change to a copy of `base`, choosing what to change with `rng`; undefined when the
 * base has nothing it applies to (no hook section to resize, say).
 */
export interface Mutator {
  /** Stable name, as the allowed-differences table names it: `<family>/<what>`. */
  name: string;
  mutate(base: Base, rng: Random): Mutation | undefined;
}

/** FNV-1a of a string: a base's share of the seed, so adding a base does not reshuffle the others. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
