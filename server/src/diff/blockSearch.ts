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
