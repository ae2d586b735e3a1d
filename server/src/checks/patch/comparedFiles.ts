import type { FileChange } from '../../diff/changes';
import { compareCode, type CodeComparison } from '../../diff/lineOnlyChanges';
import type { FileDiff, ParsedDiff } from '../../diff/unifiedDiff';

/** A classified file with its diff and, when it was rebuilt from the source root, its two versions' code compared. */
export interface ComparedFile {
  file: FileChange;
  diff?: FileDiff;
  code?: CodeComparison;
}

/** Each file's code compared once, for every check that reads the comparison. */
export function compareFiles(diff: ParsedDiff, files: readonly FileChange[]): ComparedFile[] {
  const diffs = new Map(diff.files.map((f) => [f.patchLine, f]));
  return files.map((file) => {
    const fileDiff = diffs.get(file.patchLine);
    const rebuilt = file.language === 'c' ? file.rebuilt : undefined;
    const code = fileDiff && rebuilt ? compareCode(fileDiff, rebuilt.placements, rebuilt.before, rebuilt.after, rebuilt.definitions) : undefined;
    return { file, ...(fileDiff ? { diff: fileDiff } : {}), ...(code ? { code } : {}) };
  });
}
