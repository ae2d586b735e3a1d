import type { LineIndex } from './blockSearch';
import type { Hunk } from './unifiedDiff';

/**
 * GNU patch 2.7's `locate_hunk`, line for line in what it decides: where a hunk's old lines
 * (its pattern) go in the file, given patch's running offset, the lines already written out,
 * and a fuzz level. Patch compares the pattern at every offset in turn; here each fuzz level is
 * one nearest-first search of the file's line index (blockSearch), so a header line number of
 * any size costs at most the file's length, and a hunk with a line the file lacks nothing.
 */

/** A hunk as patch holds it (`pch_*`): one side is the pattern, the other the replacement. */
export interface HunkSides {
  hunk: Hunk;
  /** `pch_first`: the pattern's first line; one past the header's number when there is no pattern (patch appends after that line). */
  first: number;
  pattern: string[];
  /** `pch_newfirst` and the replacement lines, the same way. */
  newFirst: number;
  replacement: string[];
  /** Context lines before the first change and after the last one. */
  prefixContext: number;
  suffixContext: number;
  /** Read backwards: the hunk's `added` lines are the ones taken out, its `removed` ones written. Pattern and replacement lines are as `comparedText` gives them. */
  swapped: boolean;
}

export function sidesOf(hunk: Hunk): HunkSides {
  const changed = hunk.lines.map((l) => l.kind !== 'context');
  const firstChange = changed.indexOf(true);
  const prefixContext = firstChange < 0 ? hunk.lines.length : firstChange;
  const suffixContext = firstChange < 0 ? 0 : hunk.lines.length - 1 - changed.lastIndexOf(true);
  const pattern = hunk.lines.filter((l) => l.kind !== 'added').map(comparedText);
  const replacement = hunk.lines.filter((l) => l.kind !== 'removed').map(comparedText);
  return {
    hunk,
    first: hunk.oldStart + (pattern.length ? 0 : 1),
    pattern,
    newFirst: hunk.newStart + (replacement.length ? 0 : 1),
    replacement,
    prefixContext,
    suffixContext,
    swapped: false,
  };
}

/**
 * A line as patch compares it, newline included: one without (`\ No newline at end of file`)
 * matches only a file's last line that has none either. Lines never hold `\n`, so it marks that.
 */
export function comparedText(line: { text: string; noNewlineAtEnd: boolean }): string {
  return line.noNewlineAtEnd ? `${line.text}\n` : line.text;
}

/** `pch_swap`: the hunk read the other way round, as patch tries it to detect a reversed patch. */
export function swapSides(sides: HunkSides): HunkSides {
  return { ...sides, first: sides.newFirst, pattern: sides.replacement, newFirst: sides.first, replacement: sides.pattern, swapped: !sides.swapped };
}

/** The highest fuzz patch tries for a hunk: -F2 at most, never more than its context. */
export function fuzzLevels(sides: HunkSides, maxFuzz: number): number {
  return Math.min(maxFuzz, Math.max(sides.prefixContext, sides.suffixContext));
}

export interface Located {
  /** 1-based line where the pattern's first line goes; 0 when the hunk matches nowhere. */
  where: number;
  /** Patch's running offset (`in_offset`) after this search. */
  offset: number;
}

/**
 * `locate_hunk(fuzz)`. At fuzz F patch ignores F context lines at each end, fewer at the end
 * with less context: a hunk with less context before its change than after can only be at the
 * start of the file, one with less after than before only at its end (diff gave it all the
 * context there was). `frozen` is `last_frozen_line`: the lines already copied or removed.
 */
export function locateHunk(index: LineIndex, sides: HunkSides, fuzz: number, offset: number, frozen: number): Located {
  const lines = index.lines;
  const inputLines = lines.length;
  const patLines = sides.pattern.length;
  const firstGuess = sides.first + offset;
  const context = Math.max(sides.prefixContext, sides.suffixContext);
  let prefixFuzz = fuzz + sides.prefixContext - context;
  const suffixFuzz = fuzz + sides.suffixContext - context;
  const maxWhere = inputLines - (patLines - suffixFuzz) + 1;
  const minWhere = frozen + 1;
  const maxPosOffset = maxWhere - firstGuess;
  const maxNegOffset = firstGuess - minWhere;
  const none = { where: 0, offset };
  const found = (where: number): Located => ({ where, offset: offset + where - firstGuess });
  if (!patLines) return { where: firstGuess, offset };
  if (prefixFuzz < 0 && sides.first <= 1) {
    // Only one of the two fuzzes can be negative: the larger context gives `fuzz` itself.
    return frozen <= sides.prefixContext && 1 - firstGuess <= maxPosOffset && matchesAt(lines, sides.pattern, 1, 0, suffixFuzz) ? found(1) : none;
  }
  prefixFuzz = Math.max(0, prefixFuzz);
  if (suffixFuzz < 0) {
    const where = inputLines - patLines + 1;
    return firstGuess - where <= maxNegOffset && matchesAt(lines, sides.pattern, where, prefixFuzz, 0) ? found(where) : none;
  }
  const compared = sides.pattern.slice(prefixFuzz, patLines - suffixFuzz);
  const search = (wanted: number, from: number, upTo: number): number => {
    const at = index.find(compared, wanted - 1 + prefixFuzz, from - 1 + prefixFuzz, upTo - 1 + prefixFuzz);
    return at < 0 ? 0 : at + 1 - prefixFuzz;
  };
  if (maxNegOffset >= 0) {
    const where = search(firstGuess, minWhere, maxWhere);
    return where ? found(where) : none;
  }
  // The guess lies in lines already written (an earlier hunk reached past it). Patch's offsets
  // then start below zero: it tries 2*guess - minWhere, then minWhere, then every line upwards
  // from the first, frozen ones included (such a match then fails as a misordered hunk).
  const start = 2 * firstGuess - minWhere;
  if (start >= 1 && start <= maxWhere && matchesAt(lines, sides.pattern, start, prefixFuzz, suffixFuzz)) return found(start);
  if (minWhere <= maxWhere && matchesAt(lines, sides.pattern, minWhere, prefixFuzz, suffixFuzz)) return found(minWhere);
  const lowest = Math.max(1, start + 1);
  const where = search(lowest, lowest, maxWhere);
  return where ? found(where) : none;
}

/** `patch_match`: the pattern, less its fuzzed ends, against the file from line `where`. */
function matchesAt(lines: readonly string[], pattern: readonly string[], where: number, prefixFuzz: number, suffixFuzz: number): boolean {
  for (let i = prefixFuzz; i < pattern.length - suffixFuzz; i++) if (lines[where - 1 + i] !== pattern[i]) return false;
  return true;
}
