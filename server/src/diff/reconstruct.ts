import { findBlock } from './blockSearch';
import type { FileDiff, Hunk } from './unifiedDiff';

/**
 * Applies one file's hunks to its original text in memory, the way `patch` does without fuzz:
 * each hunk where its header says, else at the nearest place its old lines match (an offset).
 * Where a hunk really landed matters: the classifier maps changed lines to C entities through it.
 * A hunk whose header names a line past the end of the file does not apply: no offset is
 * searched for, however large the number.
 */
export interface HunkPlacement {
  /** 1-based first line of the hunk in the old and in the new text. */
  oldStart: number;
  newStart: number;
  /** Lines between where the header says and where the hunk matched (patch's "offset N lines"). */
  offset: number;
}

export type Reconstruction = { ok: true; after: string; placements: HunkPlacement[] } | { ok: false; hunk: Hunk; message: string };

export function reconstructAfter(before: string, file: FileDiff): Reconstruction {
  const { lines, finalNewline } = splitLines(before);
  const out: string[] = [];
  let endsWithNewline = finalNewline;
  let consumed = 0;
  let drift = 0;
  const placements: HunkPlacement[] = [];
  for (const [number, hunk] of file.hunks.entries()) {
    const expected = hunk.lines.filter((l) => l.kind !== 'added').map((l) => l.text);
    const named = hunk.oldStart + drift;
    if (named > lines.length) {
      const shifted = drift ? ` (line ${named} after the offset of the hunks before it)` : '';
      return {
        ok: false,
        hunk,
        message: `hunk #${number + 1} (${describeHunk(hunk)}) starts at line ${hunk.oldStart}${shifted}, past the end of the original (${lines.length} lines): the source root is not the tree this patch was made against`,
      };
    }
    // A pure insertion's old start is the line after which it goes.
    const wanted = (hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1) + drift;
    const at = findBlock(lines, expected, wanted, consumed);
    if (at < 0) {
      return {
        ok: false,
        hunk,
        message: `hunk #${number + 1} (${describeHunk(hunk)}) does not match the original at or near line ${hunk.oldStart}: the source root is not the tree this patch was made against`,
      };
    }
    drift = at - (hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1);
    for (let i = consumed; i < at; i++) out.push(lines[i]);
    placements.push({ oldStart: at + 1, newStart: out.length + 1, offset: drift });
    for (const line of hunk.lines) if (line.kind !== 'removed') out.push(line.text);
    consumed = at + expected.length;
    if (consumed === lines.length) {
      const last = [...hunk.lines].reverse().find((l) => l.kind !== 'removed');
      endsWithNewline = !last?.noNewlineAtEnd && (last !== undefined || finalNewline);
    }
  }
  for (let i = consumed; i < lines.length; i++) out.push(lines[i]);
  const after = out.join('\n') + (out.length && endsWithNewline ? '\n' : '');
  return { ok: true, after, placements };
}

function describeHunk(hunk: Hunk): string {
  return `@@ -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} @@`;
}

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return { lines, finalNewline };
}
