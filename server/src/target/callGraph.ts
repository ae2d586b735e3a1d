import { GroupedRows } from './groupedRows';
import { symbolFlag, type TargetTables } from './tables';

/** Not reached by the search; reached as a root. */
const unreached = -2;
const root = -1;

/**
 * Queries on the direct call graph (the `calls` table): who a function calls, and by which
 * shortest chain of direct calls some entry functions reach it. A search from a set of entries
 * is done once and kept: every patched function of a document asks the same question.
 */
export class CallGraph {
  private readonly byCaller: GroupedRows;
  private readonly searches = new Map<string, Int32Array>();

  constructor(private readonly tables: TargetTables) {
    this.byCaller = new GroupedRows(tables.calls.caller, tables.symbols.name.length);
  }

  /** The rows of the functions `row` calls or tail-jumps to. */
  callees(row: number): number[] {
    return Array.from(this.byCaller.of(this.canonical(row)), (call) => this.tables.calls.callee[call]);
  }

  /**
   * The rows from one of `roots` to `row`, each calling the next, shortest first found (roots in
   * the order given); undefined when none reaches it. A root reaches itself: [row]. The search
   * reaches the `stops` but does not go on from them.
   */
  pathTo(roots: readonly number[], row: number, stops: readonly number[] = []): number[] | undefined {
    const from = roots.map((r) => this.canonical(r));
    const barriers = stops.map((r) => this.canonical(r));
    const key = `${from.join(',')}/${barriers.join(',')}`;
    let parents = this.searches.get(key);
    if (!parents) this.searches.set(key, (parents = this.search(from, new Set(barriers))));
    let at = this.canonical(row);
    if (parents[at] === unreached) return undefined;
    const path = [at];
    while (parents[at] !== root) path.push((at = parents[at]));
    return path.reverse();
  }

  /** Breadth first from the roots: each reached row's parent on a shortest path. */
  private search(roots: number[], stops: ReadonlySet<number>): Int32Array {
    const parents = new Int32Array(this.tables.symbols.name.length).fill(unreached);
    const queue: number[] = [];
    for (const r of roots) {
      if (parents[r] !== unreached) continue;
      parents[r] = root;
      queue.push(r);
    }
    for (let next = 0; next < queue.length; next++) {
      const caller = queue[next];
      if (stops.has(caller)) continue;
      for (const call of this.byCaller.of(caller)) {
        const callee = this.tables.calls.callee[call];
        if (parents[callee] !== unreached) continue;
        parents[callee] = caller;
        queue.push(callee);
      }
    }
    return parents;
  }

  /** The graph keys a body by its first function symbol; an alias row is mapped to it. */
  private canonical(row: number): number {
    const { address, flags } = this.tables.symbols;
    while (row > 0 && address[row - 1] === address[row] && flags[row - 1] & symbolFlag.function) row--;
    return row;
  }
}
