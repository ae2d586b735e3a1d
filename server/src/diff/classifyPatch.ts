import type { Parser } from 'web-tree-sitter';
import { readDefinitions, SourceDefinitions } from '../c/sourceFacts/definitions';
import { FileChange, languageOf } from './changes';
import { classifyFromHunks } from './classifyHunks';
import { classifyFromSource } from './classifySource';
import { findInTree, stripComponents } from './findInTree';
import { failedMessage, movedMessage, reversedMessage, stripMessage } from './patchSays';
import { HunkPlacement, reconstructAfter } from './reconstruct';
import { keepWindows, touchedWindows } from './touchedWindows';
import type { FileDiff, ParsedDiff } from './unifiedDiff';

export interface ClassifiedPatch {
  files: FileChange[];
  /** The touched C files as they are before the patch: what source facts are inferred from. */
  originals: SourceDefinitions[];
}

/**
 * Every file of a parsed patch, classified by entity: from the source root when one is given
 * and the file's hunks apply to it (only the touched files are read and parsed), else from
 * the hunks alone.
 */
export async function classifyPatch(diff: ParsedDiff, patchText: readonly string[], parser: Parser, sourceRoot?: string): Promise<ClassifiedPatch> {
  const files: FileChange[] = [];
  const originals: SourceDefinitions[] = [];
  const parsedAfter = new Map<string, SourceDefinitions>();
  for (const file of diff.files) {
    const filePath = file.newPath ?? file.oldPath;
    if (!filePath || file.binary) continue;
    const change: FileChange = {
      path: filePath,
      language: languageOf(filePath),
      status: file.status,
      patchLine: file.patchLine,
      basis: 'hunks',
      entities: [],
      problems: [],
    };
    files.push(change);
    if (change.language !== 'c') continue;
    const { rebuilt, notes } = sourceRoot ? await rebuild(file, sourceRoot, change) : { rebuilt: undefined, notes: [] };
    change.problems.push(...notes);
    if (!rebuilt) {
      change.entities = classifyFromHunks(file, patchText);
      continue;
    }
    const before = originalDefinitions(parser, rebuilt.oldPath, rebuilt.before);
    const windowed = keepWindows(rebuilt.after, touchedWindows(file, rebuilt.placements, before));
    // A patch that changes one file in several diffs the same way would have the same text parsed once per diff.
    const afterKey = `${change.path}\0${windowed}`;
    const after = parsedAfter.get(afterKey) ?? readDefinitions(parser, change.path, windowed);
    parsedAfter.set(afterKey, after);
    for (const line of after.syntaxErrors.slice(0, 1)) {
      const strays = after.strayCommentCloses;
      const why =
        line === after.unterminatedCommentLine
          ? `: the comment opened at line ${line + 1} is never closed, so the rest of the file is that comment`
          : line === strays?.line
            ? `: the \`*/\` at line ${line + 1} closes no comment, and ${strays.count - 1} more after it`
            : ` (first error at line ${line + 1})`;
      change.problems.push({
        patchLine: file.patchLine,
        message: `${change.path} does not parse after the patch${why}; the changes near there may be misclassified`,
        code: 'syntax',
      });
    }
    change.basis = 'source';
    change.entities = classifyFromSource(file, rebuilt.placements, before, after, patchText);
    originals.push(before);
  }
  return { files, originals };
}

type FileProblem = FileChange['problems'][number];
type Rebuilt = { oldPath: string; before: string; after: string; placements: HunkPlacement[] } | undefined;

/** The file before and after, as `patch -p1` would make it, and what patch would say on the way (its own words where it has them). */
async function rebuild(file: FileDiff, sourceRoot: string, change: FileChange): Promise<{ rebuilt: Rebuilt; notes: FileProblem[] }> {
  let original = '';
  let oldPath = file.newPath ?? '';
  const notes: FileProblem[] = [];
  if (file.oldPath !== null) {
    const found = await findInTree(sourceRoot, file);
    if (!found) {
      const message = `can't find file to patch: ${file.oldPath} is not in the source root ${sourceRoot} (tried \`patch -p1\`, \`-p0\` and deeper strip levels)`;
      return { rebuilt: undefined, notes: [{ patchLine: file.patchLine, message, code: 'not-applied' }] };
    }
    ({ text: original, path: oldPath } = found);
    // A pure rename's names come from git's `rename from` line, which has no a/ to strip.
    if (found.strip !== 1 && file.hunks.length) {
      change.path = stripComponents(file.newName ?? file.oldName ?? '', found.strip) ?? found.path;
      notes.push({ patchLine: file.patchLine, message: stripMessage(file, found.strip, found.path), code: 'strip' });
    }
  }
  const result = reconstructAfter(original, file);
  if (result.reversed) notes.push({ patchLine: file.hunks[0].patchLine, message: reversedMessage(oldPath, result), code: 'reversed' });
  for (const outcome of result.hunks) {
    if (!outcome.applied) notes.push({ patchLine: outcome.hunk.patchLine, message: failedMessage(oldPath, outcome, result.reversed), code: 'not-applied' });
    else if (outcome.fuzz || outcome.offset) notes.push({ patchLine: outcome.hunk.patchLine, message: movedMessage(oldPath, outcome), code: 'moved' });
  }
  if (!result.applied) return { rebuilt: undefined, notes };
  return { rebuilt: { oldPath, before: result.applied.before, after: result.applied.after, placements: result.applied.placements }, notes };
}

/**
 * The original files do not change while their patch is being edited: their definitions are
 * kept, keyed by the text itself, so only the first analysis of a kernel-sized file parses it.
 */
const originals = new Map<string, { text: string; definitions: SourceDefinitions }>();
const keptOriginals = 16;

function originalDefinitions(parser: Parser, filePath: string, text: string): SourceDefinitions {
  const cached = originals.get(filePath);
  if (cached?.text === text) return cached.definitions;
  const definitions = readDefinitions(parser, filePath, text);
  originals.delete(filePath);
  originals.set(filePath, { text, definitions });
  if (originals.size > keptOriginals) originals.delete(originals.keys().next().value ?? '');
  return definitions;
}
