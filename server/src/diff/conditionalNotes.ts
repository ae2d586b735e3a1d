import type { CompiledText, ConditionalDirective, SkippedBranch } from '../c/conditionals';
import type { FileChange } from './changes';
import type { HunkPlacement } from './reconstruct';
import type { DiffLine, FileDiff } from './unifiedDiff';

type Problem = FileChange['problems'][number];

/**
 * What the chosen branches (conditionals.ts) mean for a patch's changed lines. A line inside a
 * branch the preprocessor leaves out changes no object code, and the checks do not see it: said
 * once per hunk and branch. Where a branch was chosen on a condition of unknown value (the line
 * is in it, in a branch it pushed out, or in the condition itself), the analysis rests on a
 * guess: said too, with the way to know.
 */
export function conditionalNotes(file: FileDiff, placements: readonly HunkPlacement[], before: CompiledText, after: CompiledText, configPath: string | undefined): Problem[] {
  const notes: Problem[] = [];
  for (const [index, hunk] of file.hunks.entries()) {
    const placement = placements[index];
    const oldShift = placement ? placement.oldStart - hunk.oldStart : 0;
    const newShift = placement ? placement.newStart - hunk.newStart : 0;
    // The removed lines' places are the old file's, the added lines' the new file's: the same branch is matched by its directives.
    const byPlace = new Map<string, { place: Place; lines: DiffLine[] }>();
    for (const line of hunk.lines) {
      const found =
        line.kind === 'removed' && line.oldLine !== undefined
          ? placeOf(before, line.oldLine - 1 + oldShift)
          : line.kind === 'added' && line.newLine !== undefined
            ? placeOf(after, line.newLine - 1 + newShift)
            : undefined;
      if (!found) continue;
      const key = found.kind === 'directive' ? 'directive' : `${found.kind}\0${found.branch.opener.text}\0${found.branch.branch.text}`;
      const entry = byPlace.get(key) ?? { place: found, lines: [] };
      // An edited condition is named as the patch leaves it.
      if (line.kind === 'added') entry.place = found;
      entry.lines.push(line);
      byPlace.set(key, entry);
    }
    for (const { place, lines } of byPlace.values()) notes.push(note(file.newPath ?? file.oldPath ?? '', place, lines, configPath));
  }
  return notes;
}

type Place = { kind: 'skipped' | 'guessed'; branch: SkippedBranch } | { kind: 'directive'; directive: ConditionalDirective };

/** What the 0-based line is part of: a left-out branch, an unknown-valued directive, or the innermost branch compiled on a guess. */
function placeOf(compiled: CompiledText, line: number): Place | undefined {
  const within = (b: SkippedBranch) => b.first <= line && line <= b.last;
  const skipped = compiled.skipped.find(within);
  if (skipped) return { kind: 'skipped', branch: skipped };
  const directive = compiled.directives.find((d) => !d.known && d.line <= line && line <= d.last);
  if (directive) return { kind: 'directive', directive };
  const guessed = compiled.guessed.filter(within).at(-1);
  return guessed && { kind: 'guessed', branch: guessed };
}

function note(path: string, place: Place, lines: DiffLine[], configPath: string | undefined): Problem {
  const count = lines.length === 1 ? 'this changed line is' : `these ${lines.length} changed lines are`;
  const unknown = configPath
    ? 'it depends on macros from headers, which are not read'
    : 'no kernel configuration is known: set livepatch.kernelConfig (check --kernel-config) to the .config of the kernel being patched';
  const patchLine = lines[0].patchLine;
  if (place.kind === 'directive') {
    const { directive } = place;
    return {
      patchLine,
      code: 'assumed-branch',
      message: `${path}: ${count} part of \`${directive.text}\` (line ${directive.line + 1}), whose value is unknown here (${unknown}); the checks took the first branch whose condition is not known false as the compiled one`,
    };
  }
  const { branch } = place;
  const where = branch.branch.line === branch.opener.line ? `the \`${branch.opener.text}\` branch` : `the \`${branch.branch.text}\` branch of \`${branch.opener.text}\``;
  const at = `${path}: ${count} in ${where} (line ${branch.branch.line + 1})`;
  if (place.kind === 'guessed') {
    return { patchLine, code: 'assumed-branch', message: `${at}, which the checks took as compiled though its condition has a value unknown here (${unknown})` };
  }
  if (branch.known) {
    return {
      patchLine,
      code: 'not-compiled',
      message: `${at}, which the preprocessor leaves out${configPath ? ` with ${configPath}` : ''}: no compiled code changes there, and kpatch-build, which compares object code, ignores ${lines.length === 1 ? 'it' : 'them'} (a patch with no other change stops it with "no functional changes found")`,
    };
  }
  return {
    patchLine,
    code: 'assumed-branch',
    message: `${at}, which the checks did not read: an earlier condition of \`${branch.opener.text}\` has a value unknown here (${unknown}), and was taken as true`,
  };
}
