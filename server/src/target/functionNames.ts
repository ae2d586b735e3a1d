import { lastAtOrBelow } from './sortedSearch';
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
  private readonly recent = new Map<string, string[]>();

  private constructor(tables: TargetTables) {
    const { strings, symbols } = tables;
    const perId = new Uint32Array(strings.length);
    for (let row = 0; row < symbols.name.length; row++) if (symbols.flags[row] & symbolFlag.function) perId[symbols.name[row]]++;
    this.counts = new Map();
    this.names = [];
    for (let id = 0; id < perId.length; id++) {
      if (!perId[id] || !strings[id]) continue;
      this.counts.set(strings[id], perId[id]);
      this.names.push(strings[id]);
    }
    // The default order of sort() is by UTF-16 code unit, the order `<=` and lastAtOrBelow use.
    this.names.sort();
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
    // The first name at or after `prefix`: names are distinct, so it is the one at or below it when equal.
    const below = lastAtOrBelow(this.names, prefix);
    const first = below >= 0 && this.names[below] === prefix ? below : below + 1;
    const functions: NamedFunction[] = [];
    for (let i = first; i < this.names.length && this.names[i].startsWith(prefix); i++) {
      if (functions.length === limit) return { functions, complete: false };
      functions.push({ name: this.names[i], count: this.counts.get(this.names[i]) ?? 1 });
    }
    return { functions, complete: true };
  }

  /**
   * The functions nearest to `name` by edit distance (insert, delete, substitute, swap two
   * neighbours), at most `limit` of them, none further than a third of the name's length (at
   * most 3): a misspelling, not an unrelated function. Only names of a length within the bound
   * are looked at, most of them rejected by their letters alone.
   */
  nearest(name: string, limit = 5): string[] {
    // The editor asks for code actions on every cursor move over the finding.
    const key = `${limit}:${name}`;
    const known = this.recent.get(key);
    if (known) return known;
    const bound = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
    this.byLength ??= this.bucketByLength();
    const distance = new BoundedDistance(name, bound);
    const found: Array<{ name: string; distance: number }> = [];
    for (let length = Math.max(1, name.length - bound); length <= name.length + bound; length++) {
      for (const candidate of this.byLength[length] ?? []) {
        const d = candidate === name ? bound + 1 : distance.to(candidate);
        if (d <= bound) found.push({ name: candidate, distance: d });
      }
    }
    found.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1));
    const nearest = found.slice(0, limit).map((f) => f.name);
    if (this.recent.size >= 64) this.recent.delete(this.recent.keys().next().value ?? '');
    this.recent.set(key, nearest);
    return nearest;
  }

  private bucketByLength(): string[][] {
    const buckets: string[][] = [];
    for (const name of this.names) (buckets[name.length] ??= []).push(name);
    return buckets;
  }
}

/**
 * Optimal-string-alignment distance from one name to many, or `bound + 1` as soon as it is known
 * to be more: only the diagonal band of the table within `bound` is computed, and a candidate
 * whose letters differ too much is rejected before any of it (each edit changes the letter
 * counts by at most 2).
 */
class BoundedDistance {
  private readonly counts = new Int32Array(128);
  private readonly rows: [Int32Array, Int32Array, Int32Array];
  private readonly tooFar: number;

  constructor(
    private readonly from: string,
    private readonly bound: number,
  ) {
    for (let i = 0; i < from.length; i++) this.counts[from.charCodeAt(i) & 127]++;
    const width = from.length + bound + 2;
    this.rows = [new Int32Array(width), new Int32Array(width), new Int32Array(width)];
    this.tooFar = bound + 1;
  }

  to(b: string): number {
    const { from: a, bound, tooFar, counts } = this;
    // The sum of |count in a - count in b| over the letters, updated one letter of b at a time.
    let unmatched = a.length;
    for (let j = 0; j < b.length; j++) unmatched += counts[b.charCodeAt(j) & 127]-- > 0 ? -1 : 1;
    for (let j = 0; j < b.length; j++) counts[b.charCodeAt(j) & 127]++;
    if (Math.ceil(unmatched / 2) > bound) return tooFar;
    // Row i of the table in `current`, rows i-1 and i-2 in `previous` and `before`.
    let [before, previous, current] = this.rows;
    const n = a.length;
    const m = b.length;
    for (let j = 0; j <= Math.min(m, bound + 1); j++) previous[j] = j <= bound ? j : tooFar;
    for (let i = 1; i <= n; i++) {
      const lo = Math.max(1, i - bound);
      const hi = Math.min(m, i + bound);
      current[lo - 1] = lo === 1 ? i : tooFar;
      let rowMin = current[lo - 1];
      const ai = a.charCodeAt(i - 1);
      for (let j = lo; j <= hi; j++) {
        const bj = b.charCodeAt(j - 1);
        let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ai === bj ? 0 : 1));
        if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj && before[j - 2] + 1 < d) d = before[j - 2] + 1;
        current[j] = d;
        if (d < rowMin) rowMin = d;
      }
      if (hi < m) current[hi + 1] = tooFar;
      if (rowMin > bound) return tooFar;
      [before, previous, current] = [previous, current, before];
    }
    return Math.min(previous[m], tooFar);
  }
}
