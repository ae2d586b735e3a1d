import type { CompiledText, ConditionalDirective, SkippedBranch } from '../c/conditionals';
import type { FileChange } from './changes';
import { placedLine, type HunkPlacement } from './reconstruct';
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
  const oldPlace = placesByLine(before);
  const newPlace = placesByLine(after);
  for (const [index, hunk] of file.hunks.entries()) {
    // The removed lines' places are the old file's, the added lines' the new file's: the same branch is matched by its directives.
    const byPlace = new Map<string, { place: Place; lines: DiffLine[] }>();
    for (const line of hunk.lines) {
      const at = placedLine(line, hunk, placements[index]);
      const found = at === undefined ? undefined : (line.kind === 'removed' ? oldPlace : newPlace)(at);
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

/**
 * What each 0-based line is part of: a left-out branch, an unknown-valued directive, or the
 * innermost branch compiled on a guess. Built once per file version with one sweep over the
 * guessed branches' lines, so a patch of 50,000 lines to a file of 10,000 groups costs no
 * product of the two.
 */
function placesByLine(compiled: CompiledText): (line: number) => Place | undefined {
  const { skipped, directives, guessed } = compiled;
  const owner = new Map<number, Place>();
  const mark = (place: Place, first: number, last: number): void => {
    for (let line = first; line <= last; line++) if (!owner.has(line)) owner.set(line, place);
  };
  for (const branch of skipped) mark({ kind: 'skipped', branch }, branch.first, branch.last);
  for (const directive of directives) if (!directive.known) mark({ kind: 'directive', directive }, directive.line, directive.last);
  // The guessed branches nest (sorted by first line): a line belongs to the deepest that holds it.
  const open: SkippedBranch[] = [];
  let next = 0;
  const lastLine = guessed.reduce((last, b) => Math.max(last, b.last), -1);
  for (let line = guessed[0]?.first ?? 0; line <= lastLine; line++) {
    while (next < guessed.length && guessed[next].first <= line) open.push(guessed[next++]);
    while (open.length && open[open.length - 1].last < line) open.pop();
    const innermost = open.at(-1);
    if (innermost && !owner.has(line)) owner.set(line, { kind: 'guessed', branch: innermost });
  }
  return (line) => owner.get(line);
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
