/**
 * Text with ranges turned to spaces, every newline (and carriage return) kept, so that each
 * offset and line of what is left is where it was: how the passes that prepare C text for
 * tree-sitter (conditionals, pathological comment runs) hide what the parser must not read.
 * Ranges may come in any order and overlap.
 */
export function blankRanges(text: string, ranges: Array<[number, number]>): string {
  if (!ranges.length) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let kept = 0;
  for (const [from, to] of ranges) {
    if (to <= kept) continue;
    const start = Math.max(from, kept);
    pieces.push(text.slice(kept, start), text.slice(start, to).replace(/[^\n\r]/g, ' '));
    kept = to;
  }
  pieces.push(text.slice(kept));
  return pieces.join('');
}

/** How many newlines lie in `[from, to)`: the 0-based line of `to` when `from` is 0. */
export function newlinesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
