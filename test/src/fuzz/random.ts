/**
 * The fuzzer's only source of randomness: mulberry32, seeded, so a seed and an input number
 * always give the same input on every machine (the smoke and the reproducers depend on it).
 */
export class Random {
  private state: number;

  constructor(
    seed: number,
    /** How often `size` is huge: the smoke keeps them rare, campaigns look for the slow paths. */
    private readonly hugeChance = 0.25,
  ) {
    this.state = seed >>> 0;
  }

  /** The generator for input `n` of a campaign seeded with `seed`: inputs do not depend on each other. */
  static forInput(seed: number, n: number, hugeChance?: number): Random {
    return new Random(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35), hugeChance);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** Mostly small, sometimes huge: sizes for repeated lines and entries. */
  size(small: number, huge: number): number {
    return !this.chance(this.hugeChance) ? 1 + this.below(small) : small + this.below(huge - small);
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.below(256)));
  }
}
