/**
 * Per subprogram DIE, its name or the offset of the DIE its abstract_origin/specification
 * points to. The scan meets DIEs in ascending offset order, so they are appended to two arrays
 * and found by binary search: a Map of some 300k offsets per vmlinux worker was a large share
 * of what survived into old space. DIEs read out of order (in another worker's slice) go to a
 * small Map.
 */
export class DieNames {
  private readonly offsets: number[] = [];
  private readonly values: Array<string | number> = [];
  private readonly others = new Map<number, string | number>();

  set(die: number, value: string | number): void {
    if (this.offsets.length === 0 || die > this.offsets[this.offsets.length - 1]) {
      this.offsets.push(die);
      this.values.push(value);
    } else this.others.set(die, value);
  }

  get(die: number): string | number | undefined {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.offsets[mid];
      if (at === die) return this.values[mid];
      if (at < die) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.others.get(die);
  }
}
