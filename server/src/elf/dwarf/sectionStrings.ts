/**
 * Strings of one string section (.debug_str, .debug_line_str) decoded once, found by offset
 * through an index as long as the section: a vmlinux scan looks up a name for most DIEs it
 * reads, and a Map of 60k+ offsets was the costliest line of the scan. Zeroed pages of the
 * index are never resident unless written.
 */
export class SectionStrings {
  private ids: Int32Array | undefined;
  private readonly values: string[] = [];

  /** The string decoded at `offset` earlier, if any (`offset` is within `size`). */
  get(offset: number, size: number): string | undefined {
    this.ids ??= new Int32Array(size);
    const id = this.ids[offset];
    return id ? this.values[id - 1] : undefined;
  }

  set(offset: number, value: string): void {
    this.values.push(value);
    this.ids![offset] = this.values.length;
  }
}
