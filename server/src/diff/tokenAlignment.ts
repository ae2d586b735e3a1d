import type { CodeTokens } from '../c/codeTokens';
import type { HunkPlacement } from './reconstruct';
import type { FileDiff } from './unifiedDiff';

/**
 * Which tokens of the old file are the same tokens in the new one, found from where the hunks
 * landed: lines outside the hunks' `-`/`+` runs map rigidly, and inside a run only what differs
 * between its old and new tokens (after the common start and end) is a change. Each token is
 * looked at a constant number of times, so this is linear in the two files, whatever the patch.
 */
export interface TokenChange {
  /** Token indexes, end exclusive; an empty old range is an insertion before `oldFrom`. */
  oldFrom: number;
  oldTo: number;
  newFrom: number;
  newTo: number;
}

export interface TokenAlignment {
  /** For each old token, the index of the same token in the new file, or -1 where it changed. */
  newIndex: Int32Array;
  /** In file order; none when the two files have the same code. */
  changes: TokenChange[];
}

/** 0-based line ranges, end exclusive, of one run of changed lines on each side. */
interface LineRun {
  oldFrom: number;
  oldTo: number;
  newFrom: number;
  newTo: number;
}

export function alignTokens(before: CodeTokens, after: CodeTokens, file: FileDiff, placements: readonly HunkPlacement[]): TokenAlignment {
  const newIndex = new Int32Array(before.texts.length).fill(-1);
  const changes: TokenChange[] = [];
  let oldToken = 0;
  let newToken = 0;
  // Tokens up to (not including) `line`, from the current position.
  const oldUpTo = (line: number): number => {
    while (oldToken < before.texts.length && before.lines[oldToken] < line) oldToken++;
    return oldToken;
  };
  const newUpTo = (line: number): number => {
    while (newToken < after.texts.length && after.lines[newToken] < line) newToken++;
    return newToken;
  };
  const compare = (oldFrom: number, oldTo: number, newFrom: number, newTo: number): void => {
    let prefix = 0;
    const shorter = Math.min(oldTo - oldFrom, newTo - newFrom);
    while (prefix < shorter && before.texts[oldFrom + prefix] === after.texts[newFrom + prefix]) {
      newIndex[oldFrom + prefix] = newFrom + prefix;
      prefix++;
    }
    let suffix = 0;
    while (suffix < shorter - prefix && before.texts[oldTo - 1 - suffix] === after.texts[newTo - 1 - suffix]) {
      newIndex[oldTo - 1 - suffix] = newTo - 1 - suffix;
      suffix++;
    }
    if (prefix + suffix < Math.max(oldTo - oldFrom, newTo - newFrom))
      changes.push({ oldFrom: oldFrom + prefix, oldTo: oldTo - suffix, newFrom: newFrom + prefix, newTo: newTo - suffix });
  };
  let oldLine = 0;
  let newLine = 0;
  const segment = (oldEnd: number, newEnd: number): void => {
    const oldFrom = oldToken;
    const newFrom = newToken;
    compare(oldFrom, oldUpTo(oldEnd), newFrom, newUpTo(newEnd));
    oldLine = oldEnd;
    newLine = newEnd;
  };
  for (const run of changedRuns(file, placements)) {
    // A stretch between runs: the same lines on both sides (compared all the same, in case a
    // comment opened in a run swallows it), then the run.
    if (run.oldFrom < oldLine || run.newFrom < newLine) continue;
    segment(run.oldFrom, run.newFrom);
    segment(run.oldTo, run.newTo);
  }
  segment(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return { newIndex, changes };
}

function changedRuns(file: FileDiff, placements: readonly HunkPlacement[]): LineRun[] {
  const runs: LineRun[] = [];
  for (const [index, hunk] of file.hunks.entries()) {
    const placement = placements[index];
    if (!placement) continue;
    let o = placement.oldStart - 1;
    let n = placement.newStart - 1;
    let run: LineRun | undefined;
    for (const line of hunk.lines) {
      if (line.kind === 'context') {
        run = undefined;
        o++;
        n++;
        continue;
      }
      if (!run) runs.push((run = { oldFrom: o, oldTo: o, newFrom: n, newTo: n }));
      if (line.kind === 'removed') run.oldTo = ++o;
      else run.newTo = ++n;
    }
  }
  return runs;
}
