import type { HunkOutcome, Reconstruction } from './reconstruct';
import type { FileDiff, Hunk } from './unifiedDiff';

/**
 * What GNU patch prints about each hunk, in its own words (`Hunk #2 succeeded at 1234 (offset
 * 12 lines).`), followed by what it means for the live patch and what to do.
 */

function describeHunk(hunk: Hunk): string {
  return `@@ -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} @@`;
}

/** Patch's own line: `Hunk #2 succeeded at 1234 with fuzz 1 (offset 12 lines).` */
function patchSays(outcome: HunkOutcome): string {
  if (!outcome.applied) return `Hunk #${outcome.number} FAILED at ${outcome.at}.`;
  const fuzz = outcome.fuzz ? ` with fuzz ${outcome.fuzz}` : '';
  const offset = outcome.offset ? ` (offset ${outcome.offset} line${outcome.offset === 1 ? '' : 's'})` : '';
  return `Hunk #${outcome.number} succeeded at ${outcome.at}${fuzz}${offset}.`;
}

export function failedMessage(filePath: string, outcome: HunkOutcome, reversed: boolean): string {
  const how = reversed ? 'read backwards (the patch was found reversed), ' : '';
  return `${patchSays(outcome)} ${filePath}: hunk #${outcome.number} (${describeHunk(outcome.hunk)}), ${how}matches nowhere in the file at any offset, even with the fuzz \`patch -p1\` allows (up to 2 context lines left out at each end): the source root is not the tree this patch was made against`;
}

export function movedMessage(filePath: string, outcome: HunkOutcome): string {
  const moved = outcome.offset
    ? `${Math.abs(outcome.offset)} line${Math.abs(outcome.offset) === 1 ? '' : 's'} ${outcome.offset > 0 ? 'below' : 'above'} where its header says`
    : 'where its header says';
  const fuzz = outcome.fuzz
    ? `, with ${outcome.fuzz} context line${outcome.fuzz === 1 ? '' : 's'} at its ends not compared (fuzz): check that the code around the change is the code the patch was written for`
    : '';
  return `${patchSays(outcome)} ${filePath}: \`patch -p1\`, and kpatch-build with it, applies hunk #${outcome.number} ${moved}${fuzz}. The checks read the file at that place`;
}

export function reversedMessage(filePath: string, result: Reconstruction): string {
  const first = result.hunks[0];
  const undone = result.applied ? 'The file was analysed with its original rebuilt by undoing the hunks.' : 'Undoing the hunks failed too (below).';
  return `Reversed (or previously applied) patch detected! ${filePath} already holds what hunk #1 (${describeHunk(first.hunk)}) makes of it: the source root has this patch applied, or the patch is the wrong way round. \`patch -N -p1\`, as kpatch-build runs it, skips the file and the build stops. Point livepatch.sourceRoot at the unpatched tree (or undo the patch there with \`patch -R -p1\`), or regenerate the patch from the original to the fixed file (\`diff -u old new\`). ${undone}`;
}

export function stripMessage(file: FileDiff, strip: number, found: string): string {
  const written = file.oldName ?? found;
  const as = written === found ? 'the name as written' : `as ${found}`;
  return `${written} is found in the source root only with \`patch -p${strip}\` (${as}): \`patch -p1\`, as kpatch-build and klp-build apply patches, says \`can't find file to patch\` and the build stops. Regenerate the patch with \`git diff\` or \`git format-patch\` (their a/ and b/ prefixes), or from the tree's parent directory (\`diff -u linux.orig/${found} linux/${found}\`)`;
}
