import type { SourceDefinitions } from '../c/sourceFacts/definitions';
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
  for (const [index, hunk] of file.hunks.entries()) {
    const placement = placements[index];
    if (!placement) continue;
    const oldFrom = placement.oldStart - (hunk.oldCount === 0 ? 0 : 1);
    const oldTo = oldFrom + hunk.oldCount;
    const newFrom = placement.newStart - 1;
    const newTo = newFrom + hunk.newCount;
    let widenBefore = 1;
    let widenAfter = 1;
    for (const { lines } of before.definitions) {
      if (lines.last < oldFrom - 1 || lines.first > oldTo) continue;
      widenBefore = Math.max(widenBefore, oldFrom - lines.first);
      widenAfter = Math.max(widenAfter, lines.last + 1 - oldTo);
    }
    windows.push({ from: Math.max(0, newFrom - widenBefore), to: newTo + widenAfter });
  }
  return windows;
}

/** The text with every line outside the windows emptied: same line numbers, far less to parse. */
export function keepWindows(text: string, windows: readonly LineWindow[]): string {
  const lines = text.split('\n');
  const keep = new Uint8Array(lines.length);
  for (const { from, to } of windows) keep.fill(1, Math.max(0, from), Math.min(lines.length, to));
  return lines.map((line, i) => (keep[i] ? line : '')).join('\n');
}
