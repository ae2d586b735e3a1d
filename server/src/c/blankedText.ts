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

/**
 * `text` with each edit's replacement written over it from its offset, in order, every newline of
 * `text` kept (a replacement is as long as what it covers). Copied in pieces: an array of every
 * character of a 300 KB kernel file, made and joined per pass, cost 20-50 ms a pass.
 */
export function overwritten(text: string, edits: ReadonlyArray<readonly [number, string]>): string {
  const sorted = [...edits].sort((a, b) => a[0] - b[0]);
  const disjoint = sorted.every(([at, replacement], k) => at >= 0 && at + replacement.length <= (sorted[k + 1]?.[0] ?? text.length));
  // Edits that overlap are written in their order, the later over the earlier: as before, one character at a time.
  if (!disjoint) return overwrittenInOrder(text, edits);
  const pieces: string[] = [];
  let kept = 0;
  for (const [at, replacement] of sorted) {
    const covered = text.slice(at, at + replacement.length);
    pieces.push(text.slice(kept, at), covered.includes('\n') ? withNewlinesOf(covered, replacement) : replacement);
    kept = at + replacement.length;
  }
  pieces.push(text.slice(kept));
  return pieces.join('');
}

/** `replacement` with a newline wherever `covered` has one. */
function withNewlinesOf(covered: string, replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) out += covered[i] === '\n' ? '\n' : replacement[i];
  return out;
}

function overwrittenInOrder(text: string, edits: ReadonlyArray<readonly [number, string]>): string {
  const chars = text.split('');
  for (const [at, replacement] of edits) for (let i = 0; i < replacement.length; i++) if (chars[at + i] !== '\n') chars[at + i] = replacement[i];
  return chars.join('');
}
