import type { SourceDefinitions } from '../c/sourceFacts/definitions';
import { firstAtOrAfter } from '../c/sortedSearch';
import { bestByLine } from './definitionsByLine';
import type { HunkPlacement } from './reconstruct';
import type { FileDiff } from './unifiedDiff';

/**
 * Parsing a kernel-sized file takes a quarter of a second, and the patched version changes on
 * every keystroke in the patch. Only the definitions the hunks touch are needed from it, so
 * only their lines are kept: each hunk's new lines, widened by as many lines as the original
 * definitions around the hunk extend beyond it (lines outside a hunk shift rigidly).
 */
export interface LineWindow {
  /** 0-based, end exclusive. */
  from: number;
  to: number;
}

export function touchedWindows(file: FileDiff, placements: readonly HunkPlacement[], before: SourceDefinitions): LineWindow[] {
  const windows: LineWindow[] = [];
  // Only a definition around the line before the hunk can reach further up, only one around its last line further down.
  const earliestAt = bestByLine(before.definitions, (a, b) => a.lines.first - b.lines.first);
  const latestAt = bestByLine(before.definitions, (a, b) => b.lines.last - a.lines.last);
  for (const [index, hunk] of file.hunks.entries()) {
    const placement = placements[index];
    if (!placement) continue;
    const oldFrom = placement.oldStart - (hunk.oldCount === 0 ? 0 : 1);
    const oldTo = oldFrom + hunk.oldCount;
    const newFrom = placement.newStart - 1;
    const newTo = newFrom + hunk.newCount;
    const widenBefore = Math.max(1, oldFrom - (earliestAt(oldFrom - 1)?.lines.first ?? oldFrom));
    const widenAfter = Math.max(1, (latestAt(oldTo)?.lines.last ?? oldTo) + 1 - oldTo);
    windows.push({ from: Math.max(0, newFrom - widenBefore), to: newTo + widenAfter });
  }
  return windows;
}

/** The text with every line outside the windows emptied: same line numbers, far less to parse. */
export function keepWindows(text: string, windows: readonly LineWindow[]): string {
  // Line starts, not a split and a join: a 50k-line file kept but for a few lines is copied in a few slices.
  const starts = offsetsAfter(text, '\n');
  starts.unshift(0);
  const count = starts.length;
  starts.push(text.length + 1);
  const comments = commentTokens(text);
  const keep = new Uint8Array(count);
  for (const window of windows) {
    const { from, to } = wholeComments(starts, comments, window);
    keep.fill(1, from, to);
  }
  // Runs of kept lines as they are, runs of emptied ones as their newlines, one `\n` between two runs.
  const runs: string[] = [];
  for (let first = 0, end = 0; first < count; first = end) {
    while (end < count && keep[end] === keep[first]) end++;
    runs.push(keep[first] ? text.slice(starts[first], starts[end] - 1) : '\n'.repeat(end - first - 1));
  }
  return runs.join('\n');
}

/** Where each `/*` or `*\/` token is (neither spans a newline, so a line's are those within it), and every `/*` as a substring. */
interface CommentTokens {
  at: number[];
  opens: boolean[];
  openers: number[];
}

/** Found once for the whole text: searched for per window, 11,000 windows each scanned the rest of the text. */
function commentTokens(text: string): CommentTokens {
  const tokens: CommentTokens = { at: [], opens: [], openers: offsetsAfter(text, '/*').map((after) => after - 2) };
  for (const token of text.matchAll(/\/\*|\*\//g)) {
    tokens.at.push(token.index);
    tokens.opens.push(token[0] === '/*');
  }
  return tokens;
}

/** The offset just after each occurrence of `what`. */
function offsetsAfter(text: string, what: string): number[] {
  const offsets: number[] = [];
  for (let at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) offsets.push(at + what.length);
  return offsets;
}

/**
 * A window that cuts a block comment would leave a `/*` whose end is blanked (and the comment
 * would swallow every later window) or a stray `*\/`: widen it to the whole comment.
 */
function wholeComments(starts: readonly number[], comments: CommentTokens, window: LineWindow): LineWindow {
  const count = starts.length - 1;
  /** Where line `i`'s newline is (or the text's end). */
  const lineEnd = (i: number): number => starts[i + 1] - 1;
  let from = Math.max(0, window.from);
  let to = Math.min(count, window.to);
  const first = from < to ? firstAtOrAfter(comments.at, starts[from]) : comments.at.length;
  if (first < comments.at.length && comments.at[first] < lineEnd(to - 1) && !comments.opens[first]) {
    // Up to the nearest line at or above `from` with a `/*` in it, or the first line.
    const opener = firstAtOrAfter(comments.openers, lineEnd(from) - 1) - 1;
    from = opener < 0 ? 0 : firstAtOrAfter(starts, comments.openers[opener] + 1) - 1;
  }
  let open = false;
  let token = from < count ? firstAtOrAfter(comments.at, starts[from]) : comments.at.length;
  for (let i = from; i < count && (i < to || open); i++) {
    for (const end = lineEnd(i); token < comments.at.length && comments.at[token] < end; token++) open = comments.opens[token];
    if (i >= to - 1 && !open) to = i + 1;
  }
  return { from, to };
}
