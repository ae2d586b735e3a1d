import type { SourceFactsProvider } from '../facts/sourceFacts';
import type { SourceRange } from '../../c/sourceRange';
import type { FileChange } from '../../diff/changes';
import type { FactsProvider } from '../facts/functionFacts';
import type { Finding } from '../finding';
import { localPath, shownPath } from '../shownPath';
import type { PatchCheck } from './catalogue';

/** What every LP2xx check reads: the patch document, and the facts about the code it patches. */
export interface PatchContext {
  /** The patch document the findings are reported on. */
  patchFile: string;
  patchLines: readonly string[];
  sourceRoot?: string;
  /** The editor's workspace folders: messages name files under them relative to them. */
  workspaceRoots?: readonly string[];
  /** From the target when the caller has one. */
  targetFacts?: FactsProvider;
  /** Inferred from the touched files of the source root. */
  sourceFacts?: SourceFactsProvider;
}

export function finding(check: PatchCheck, context: PatchContext, range: SourceRange, message: string, extra: Partial<Finding> = {}): Finding {
  return { code: check.id, severity: check.severity, message, file: context.patchFile, range, ...extra };
}

/** A file's header lines in the patch (`diff --git` to `+++`): where file-level findings go. */
export function fileHeaderRange(file: FileChange, context: PatchContext): SourceRange {
  let last = file.patchLine;
  while (
    last + 1 < context.patchLines.length &&
    !context.patchLines[last].startsWith('+++ ') &&
    !context.patchLines[last + 1].startsWith('@@') &&
    !context.patchLines[last + 1].startsWith('diff --git')
  )
    last++;
  return { start: { line: file.patchLine, column: 0 }, end: { line: last, column: context.patchLines[last]?.length ?? 0 } };
}

export function lineRange(line: number, context: PatchContext): SourceRange {
  return { start: { line, column: 0 }, end: { line, column: context.patchLines[line]?.length ?? 0 } };
}

/** A source location for `related`: the user's copy of the file (shownPath.ts), tree paths under the source root. */
export function sourceLocation(file: string, line: number, context: PatchContext): { file: string; range: SourceRange } {
  const absolute = localPath(file, context);
  const zeroBased = Math.max(0, line - 1);
  return { file: absolute, range: { start: { line: zeroBased, column: 0 }, end: { line: zeroBased, column: 0 } } };
}

/** `target/sched.c:68` from a site whose file may be absolute (DWARF) or a tree path (source facts). */
export function siteLabel(file: string | undefined, line: number | undefined, context: PatchContext): string {
  if (!file) return '';
  const shown = shownPath(file, context);
  return line ? `${shown}:${line}` : shown;
}
