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
  const comments = commentSpans(text);
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

/**
 * Every block comment as [start, end) offsets, found the way the C lexer finds them: from a `/*`
 * to the first `*\/` after it (to the end of the text when there is none), then the next `/*`
 * after that. Found once for the whole text: searched for per window, 11,000 windows each
 * scanned the rest of the text.
 */
interface CommentSpans {
  starts: number[];
  ends: number[];
}

function commentSpans(text: string): CommentSpans {
  const spans: CommentSpans = { starts: [], ends: [] };
  for (let open = text.indexOf('/*'); open >= 0;) {
    const close = text.indexOf('*/', open + 2);
    const end = close < 0 ? text.length : close + 2;
    spans.starts.push(open);
    spans.ends.push(end);
    open = text.indexOf('/*', end);
  }
  return spans;
}

/** The offset just after each occurrence of `what`. */
function offsetsAfter(text: string, what: string): number[] {
  const offsets: number[] = [];
  for (let at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) offsets.push(at + what.length);
  return offsets;
}

/** The comment that `offset` lies strictly inside (after its `/` and before its end), as its index, or -1. */
function commentAround(comments: CommentSpans, offset: number): number {
  const span = firstAtOrAfter(comments.starts, offset) - 1;
  return span >= 0 && comments.ends[span] > offset ? span : -1;
}

/**
 * A window that starts or ends inside a block comment would keep a `*\/` without its `/*`, or a
 * `/*` whose end is blanked (which would then swallow every later window, or un-comment what the
 * whole text comments out when the `*\/` it ends at was deleted): widen it to whole comments.
 */
function wholeComments(starts: readonly number[], comments: CommentSpans, window: LineWindow): LineWindow {
  const count = starts.length - 1;
  /** The line holding `offset`. */
  const lineOf = (offset: number): number => firstAtOrAfter(starts, offset + 1) - 1;
  let from = Math.max(0, window.from);
  let to = Math.min(count, window.to);
  if (from >= to) return { from, to };
  // A comment's first line may end another comment that began further up: until a line starts outside any.
  for (let span = commentAround(comments, starts[from]); span >= 0; span = commentAround(comments, starts[from])) from = lineOf(comments.starts[span]);
  // The newline ending the window's last line, until it is outside any comment (an unterminated one ends at the text's end).
  for (let span = commentAround(comments, starts[to] - 1); span >= 0 && to < count; span = commentAround(comments, starts[to] - 1))
    to = Math.max(to + 1, lineOf(comments.ends[span] - 1) + 1);
  return { from, to };
}
