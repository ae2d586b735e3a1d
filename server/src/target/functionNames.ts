import { symbolFlag, type TargetTables } from './tables';

export interface NamedFunction {
  name: string;
  /** How many functions have this name; above 1 a klp_func needs `old_sympos`. */
  count: number;
}

/**
 * The target's function names, each once, sorted by code unit: a vmlinux has about 60,000, and a
 * completion request or a "did you mean" must answer in milliseconds, so the table is built once
 * per index (about 50 ms) and every query is a binary search or a scan of one length bucket.
 */
export class FunctionNames {
  private readonly names: string[];
  private readonly counts: Map<string, number>;
  /** Names by length, for edit-distance scans that only look at names that could be close. */
  private byLength?: string[][];

  private constructor(tables: TargetTables) {
    const { strings, symbols } = tables;
    const perId = new Uint32Array(strings.length);
    for (let row = 0; row < symbols.name.length; row++) if (symbols.flags[row] & symbolFlag.function) perId[symbols.name[row]]++;
    this.counts = new Map();
    perId.forEach((count, id) => {
      if (count && strings[id]) this.counts.set(strings[id], count);
    });
    this.names = [...this.counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private static readonly built = new WeakMap<TargetTables, FunctionNames>();

  static of(tables: TargetTables): FunctionNames {
    let names = FunctionNames.built.get(tables);
    if (!names) FunctionNames.built.set(tables, (names = new FunctionNames(tables)));
    return names;
  }

  get size(): number {
    return this.names.length;
  }

  /** At most `limit` functions whose name starts with `prefix`, in name order; `complete` is false when more exist. */
  withPrefix(prefix: string, limit: number): { functions: NamedFunction[]; complete: boolean } {
    let lo = 0;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.names[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const functions: NamedFunction[] = [];
    for (let i = lo; i < this.names.length && this.names[i].startsWith(prefix); i++) {
      if (functions.length === limit) return { functions, complete: false };
      functions.push({ name: this.names[i], count: this.counts.get(this.names[i]) ?? 1 });
    }
    return { functions, complete: true };
  }

  /**
   * The functions nearest to `name` by edit distance (insert, delete, substitute, swap two
   * neighbours), at most `limit` of them, none further than a third of the name's length (at
   * most 3): a misspelling, not an unrelated function.
   */
  nearest(name: string, limit = 5): string[] {
    const bound = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
    this.byLength ??= this.bucketByLength();
    const found: Array<{ name: string; distance: number }> = [];
    for (let length = Math.max(1, name.length - bound); length <= name.length + bound; length++) {
      for (const candidate of this.byLength[length] ?? []) {
        const distance = boundedDistance(name, candidate, bound);
        if (distance <= bound && candidate !== name) found.push({ name: candidate, distance });
      }
    }
    found.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1));
    return found.slice(0, limit).map((f) => f.name);
  }

  private bucketByLength(): string[][] {
    const buckets: string[][] = [];
    for (const name of this.names) (buckets[name.length] ??= []).push(name);
    return buckets;
  }
}

/**
 * Optimal-string-alignment distance between `a` and `b`, or `bound + 1` as soon as every
 * alignment is known to cost more: most candidates are rejected within a few columns.
 */
function boundedDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > bound) return bound + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}
