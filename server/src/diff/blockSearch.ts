/**
 * Where a hunk's old lines sit in the original file: the match nearest to the line patch
 * guesses. Two streaming KMP matchers walk away from that line, one down and one up, a line at
 * a time, so finding a match costs the distance to it plus the hunk's length, never their
 * product, and never more than the lines of the file whatever number the header holds.
 */

/** A KMP matcher fed one line at a time; it says when the lines fed last spell the block. */
class BlockMatcher {
  private readonly failure: Int32Array;
  private matched = 0;

  constructor(private readonly block: readonly string[]) {
    this.failure = new Int32Array(block.length);
    for (let i = 1, k = 0; i < block.length; i++) {
      while (k > 0 && block[i] !== block[k]) k = this.failure[k - 1];
      if (block[i] === block[k]) k++;
      this.failure[i] = k;
    }
  }

  feed(line: string): boolean {
    while (this.matched > 0 && line !== this.block[this.matched]) this.matched = this.failure[this.matched - 1];
    if (line === this.block[this.matched]) this.matched++;
    if (this.matched < this.block.length) return false;
    this.matched = this.failure[this.matched - 1];
    return true;
  }
}

/**
 * The index in [from, upTo] where `block` matches, nearest to `wanted` first and the higher one
 * on a tie (GNU patch tries offset +N before -N); -1 when it matches nowhere there.
 */
export function findBlock(lines: readonly string[], block: readonly string[], wanted: number, from: number, upTo = Infinity): number {
  const last = Math.min(upTo, lines.length - block.length);
  from = Math.max(0, from);
  if (last < from) return -1;
  if (!block.length) return Math.min(Math.max(wanted, from), last);
  // Downward, a match is complete when its first line is fed; upward, when its last one is.
  const down = new BlockMatcher([...block].reverse());
  const up = new BlockMatcher(block);
  let below = Math.min(wanted, last);
  let above = Math.max(wanted + 1, from);
  for (let i = below + block.length - 1; i > below; i--) down.feed(lines[i]);
  for (let i = above; i < above + block.length - 1 && i < lines.length; i++) up.feed(lines[i]);
  while (below >= from || above <= last) {
    if (below >= from && (above > last || wanted - below < above - wanted)) {
      if (down.feed(lines[below])) return below;
      below--;
    } else {
      if (up.feed(lines[above + block.length - 1])) return above;
      above++;
    }
  }
  return -1;
}

/**
 * The file's lines indexed by text, so a hunk is looked for only where its rarest line stands:
 * a hunk with a line the file lacks fails at once, and a patch of thousands of hunks that do not
 * apply costs their lines, not a scan of the file each. Where the rarest line is so common that
 * trying each place would cost more than a scan, the KMP scan is used.
 */
export class LineIndex {
  private readonly positions = new Map<string, number[]>();

  constructor(readonly lines: readonly string[]) {
    lines.forEach((line, i) => {
      const at = this.positions.get(line);
      if (at) at.push(i);
      else this.positions.set(line, [i]);
    });
  }

  /** `findBlock`'s answer: the match nearest `wanted` in [from, upTo], the higher on a tie. */
  find(block: readonly string[], wanted: number, from: number, upTo = Infinity): number {
    const last = Math.min(upTo, this.lines.length - block.length);
    from = Math.max(0, from);
    if (last < from || !block.length) return findBlock(this.lines, block, wanted, from, upTo);
    let anchor = 0;
    let starts: readonly number[] = [];
    for (let i = 0; i < block.length; i++) {
      const at = this.positions.get(block[i]) ?? [];
      if (i === 0 || at.length < starts.length) [anchor, starts] = [i, at];
      if (!at.length) return -1;
    }
    if (starts.length * block.length > this.lines.length) return findBlock(this.lines, block, wanted, from, upTo);
    // starts[k] - anchor is where the block would begin; walk out from `wanted` both ways.
    let hi = firstAbove(starts, wanted + anchor);
    let lo = hi - 1;
    // A guess outside [from, last] leaves candidates on its near side that are out of range too.
    while (hi < starts.length && starts[hi] - anchor < from) hi++;
    while (lo >= 0 && starts[lo] - anchor > last) lo--;
    while (true) {
      const below = lo >= 0 && starts[lo] - anchor >= from ? starts[lo] - anchor : undefined;
      const above = hi < starts.length && starts[hi] - anchor <= last ? starts[hi] - anchor : undefined;
      if (below === undefined && above === undefined) return -1;
      if (below !== undefined && (above === undefined || wanted - below < above - wanted)) {
        if (this.matchesAt(block, below)) return below;
        lo--;
      } else {
        if (this.matchesAt(block, above!)) return above!;
        hi++;
      }
    }
  }

  private matchesAt(block: readonly string[], start: number): boolean {
    for (let i = 0; i < block.length; i++) if (this.lines[start + i] !== block[i]) return false;
    return true;
  }
}

/** The first index whose value is greater than `value` in an ascending array. */
function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
