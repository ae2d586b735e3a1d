/**
 * Rows of a table grouped by one id column (a counting sort), for lookups by name without a
 * Map entry or an array per name. Rows of one id keep their table order.
 */
export class GroupedRows {
  private readonly starts: Uint32Array;
  private readonly rows: Uint32Array;

  constructor(key: Uint32Array, ids: number) {
    this.starts = new Uint32Array(ids + 1);
    for (let row = 0; row < key.length; row++) this.starts[key[row] + 1]++;
    for (let id = 0; id < ids; id++) this.starts[id + 1] += this.starts[id];
    const next = this.starts.slice(0, ids);
    this.rows = new Uint32Array(key.length);
    for (let row = 0; row < key.length; row++) this.rows[next[key[row]]++] = row;
  }

  /** The rows whose key is `id`, in table order. */
  of(id: number | undefined): Uint32Array {
    return id === undefined ? this.rows.subarray(0, 0) : this.rows.subarray(this.starts[id], this.starts[id + 1]);
  }
}
