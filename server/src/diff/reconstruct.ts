import { LineIndex } from './blockSearch';
import { comparedText, fuzzLevels, HunkSides, locateHunk, sidesOf, swapSides } from './locateHunk';
import type { DiffLine, FileDiff, Hunk } from './unifiedDiff';

/**
 * Applies one file's hunks to its original text in memory as GNU patch 2.7 does (`patch -p1`,
 * fuzz up to 2): each hunk at the nearest place its old lines match, patch's running offset
 * carried from hunk to hunk, and context lines that fuzz let differ kept as the file has them.
 * Where a hunk really landed matters: the classifier maps changed lines to C entities through
 * it. When hunk 1 matches only read backwards, the file already holds the patched text (or the
 * patch is reversed): the hunks are then undone, to rebuild the original the patch was made on.
 */
export interface HunkPlacement {
  /** 1-based first line of the hunk in the old and in the new text. */
  oldStart: number;
  newStart: number;
  /** Patch's running offset at this hunk ("offset N lines"). */
  offset: number;
}

/**
 * A changed line's 0-based line in the file version it belongs to (a removed line in the
 * original, an added one in the patched file): its header's number moved to where patch placed
 * the hunk. Undefined for a context line.
 */
export function placedLine(line: DiffLine, hunk: Hunk, placement: HunkPlacement | undefined): number | undefined {
  if (line.kind === 'removed' && line.oldLine !== undefined) return line.oldLine - 1 + (placement ? placement.oldStart - hunk.oldStart : 0);
  if (line.kind === 'added' && line.newLine !== undefined) return line.newLine - 1 + (placement ? placement.newStart - hunk.newStart : 0);
  return undefined;
}

/** One hunk's fate, in the terms `patch --dry-run --verbose` prints it. */
export interface HunkOutcome {
  hunk: Hunk;
  /** 1-based, within the file (patch's "Hunk #N"). */
  number: number;
  applied: boolean;
  /** "succeeded at N" / "FAILED at N": a line of the patched file. */
  at: number;
  fuzz: number;
  /** "(offset N lines)": patch's running offset; 0 when it prints none (and for a FAILED hunk, where it prints none). */
  offset: number;
}

export interface Reconstruction {
  hunks: HunkOutcome[];
  /** Patch's "Reversed (or previously applied) patch detected!": the hunks were undone instead. */
  reversed: boolean;
  /** When every hunk applied: the texts before and after the patch, and where each hunk landed in them. */
  applied?: { before: string; after: string; placements: HunkPlacement[] };
}

/** Patch's default `-F2`. */
const maxFuzz = 2;

export function reconstructAfter(original: string, file: FileDiff): Reconstruction {
  const { lines, finalNewline } = splitLines(original);
  const writer = new Writer(lines, finalNewline);
  const inFile = new LineIndex(finalNewline ? lines : [...lines.slice(0, -1), comparedText({ text: lines[lines.length - 1], noNewlineAtEnd: true })]);
  let sides = file.hunks.map(sidesOf);
  let reversed = false;
  const hunks: HunkOutcome[] = [];
  const placements: HunkPlacement[] = [];
  let offset = 0;
  for (const [index, hunk] of file.hunks.entries()) {
    let located = { where: 0, offset };
    let fuzz = 0;
    for (; fuzz <= fuzzLevels(sides[index], maxFuzz); fuzz++) {
      located = locateHunk(inFile, sides[index], fuzz, offset, writer.frozen);
      if (located.where) break;
      if (index === 0 && !reversed) {
        // Patch's "dwim for reversed patch": only hunk 1 is tried backwards, at each fuzz level after forwards.
        const backwards = locateHunk(inFile, swapSides(sides[0]), fuzz, offset, writer.frozen);
        if (backwards.where) {
          reversed = true;
          sides = sides.map(swapSides);
          located = backwards;
          break;
        }
      }
    }
    const at = (located.where || sides[index].first) + writer.outOffset;
    offset = located.offset;
    const applied = located.where > 0 && writer.apply(sides[index], located.where);
    hunks.push({ hunk, number: index + 1, applied, at, fuzz: applied ? fuzz : 0, offset: applied ? offset : 0 });
    if (applied) placements.push({ oldStart: located.where, newStart: at, offset });
  }
  if (hunks.some((h) => !h.applied)) return { hunks, reversed };
  const text = writer.finish();
  const applied = reversed
    ? { before: text, after: original, placements: placements.map((p) => ({ oldStart: p.newStart, newStart: p.oldStart, offset: p.offset })) }
    : { before: original, after: text, placements };
  return { hunks, reversed, applied };
}

/** Patch's output file: lines copied from the input up to each hunk, then the hunk's new lines. */
class Writer {
  /** `last_frozen_line`: input lines copied out or removed so far. */
  frozen = 0;
  /** `out_offset`: lines the applied hunks added less those they removed. */
  outOffset = 0;
  private readonly out: string[] = [];
  private endsWithNewline = true;

  constructor(
    private readonly lines: readonly string[],
    private readonly finalNewline: boolean,
  ) {}

  /** `apply_hunk` at `where`; false, like patch's "misordered hunks", if it would write above lines already written. */
  apply(sides: HunkSides, where: number): boolean {
    let old = 0;
    const takenOut = sides.swapped ? 'added' : 'removed';
    for (const line of sides.hunk.lines) {
      if (line.kind === 'context') old++;
      else if (!this.copyTill(where - 1 + old)) return false;
      else if (line.kind === takenOut) {
        this.frozen++;
        old++;
      } else {
        this.out.push(line.text);
        this.endsWithNewline = !line.noNewlineAtEnd;
      }
    }
    this.outOffset += sides.replacement.length - sides.pattern.length;
    return true;
  }

  finish(): string {
    this.copyTill(this.lines.length);
    return this.out.join('\n') + (this.out.length && this.endsWithNewline ? '\n' : '');
  }

  /** `copy_till`: input lines up to `last` (1-based), none past the end of the file however far `last` is. */
  private copyTill(last: number): boolean {
    if (this.frozen > last) return false;
    for (let i = this.frozen; i < Math.min(last, this.lines.length); i++) {
      this.out.push(this.lines[i]);
      this.endsWithNewline = i < this.lines.length - 1 || this.finalNewline;
    }
    this.frozen = last;
    return true;
  }
}

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return { lines, finalNewline };
}
