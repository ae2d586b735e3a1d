import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { readDefinitions, SourceDefinitions } from '../c/sourceFacts/definitions';
import { howToRaise, limits, limitSpecs, utf8BytesPast } from '../limits';
import { FileChange, languageOf } from './changes';
import { classifyFromHunks } from './classifyHunks';
import { classifyFromSource } from './classifySource';
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
    const rebuilt = sourceRoot ? await rebuild(file, sourceRoot) : undefined;
    if (rebuilt && 'problem' in rebuilt) change.problems.push({ patchLine: rebuilt.patchLine, message: rebuilt.problem, code: 'not-applied' });
    const tooLarge = rebuilt && !('problem' in rebuilt) ? pastParseBound(rebuilt.oldPath, rebuilt.before, '') : undefined;
    if (tooLarge) change.problems.push({ patchLine: file.patchLine, message: tooLarge, code: 'too-large' });
    if (!rebuilt || 'problem' in rebuilt || tooLarge) {
      change.entities = classifyFromHunks(file, patchText);
      continue;
    }
    const before = originalDefinitions(parser, rebuilt.oldPath, rebuilt.before);
    const windowed = keepWindows(rebuilt.after, touchedWindows(file, rebuilt.placements, before));
    const afterTooLarge = pastParseBound(filePath, windowed, ' after the patch (the lines around its hunks)');
    if (afterTooLarge) {
      change.problems.push({ patchLine: file.patchLine, message: afterTooLarge, code: 'too-large' });
      change.entities = classifyFromHunks(file, patchText);
      continue;
    }
    // A patch that changes one file in several diffs the same way would have the same text parsed once per diff.
    const afterKey = `${filePath}\0${windowed}`;
    const after = parsedAfter.get(afterKey) ?? readDefinitions(parser, filePath, windowed);
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
        message: `${filePath} does not parse after the patch${why}; the changes near there may be misclassified`,
        code: 'syntax',
      });
    }
    change.basis = 'source';
    change.entities = classifyFromSource(file, rebuilt.placements, before, after, patchText);
    originals.push(before);
  }
  return { files, originals };
}

/** Why a file is not parsed (its size past `cParseBytes`: the parse's time and memory grow with it), or undefined. */
function pastParseBound(filePath: string, text: string, which: string): string | undefined {
  const limit = limits().cParseBytes;
  const bytes = utf8BytesPast(text, limit);
  if (bytes === undefined) return undefined;
  return `${filePath}${which} is ${bytes} bytes long, more than the ${limit} ${limitSpecs.cParseBytes.what}, so it is not parsed; ${howToRaise('cParseBytes')} to have it classified from the source`;
}

type Rebuilt = { oldPath: string; before: string; after: string; placements: HunkPlacement[] } | { problem: string; patchLine: number };

/** The file before and after, or why not (patch's own words where it has them). */
async function rebuild(file: FileDiff, sourceRoot: string): Promise<Rebuilt> {
  let before = '';
  let oldPath = file.newPath ?? '';
  if (file.oldPath !== null) {
    const found = await readFirst(sourceRoot, [file.oldPath, file.oldName ?? file.oldPath]);
    if (!found) return { problem: `can't find file to patch: ${file.oldPath} is not in the source root ${sourceRoot}`, patchLine: file.patchLine };
    ({ text: before, path: oldPath } = found);
  }
  const result = reconstructAfter(before, file);
  if (!result.ok) return { problem: `${file.oldPath}: ${result.message}`, patchLine: result.hunk.patchLine };
  return { oldPath, before, after: result.after, placements: result.placements };
}

async function readFirst(root: string, candidates: string[]): Promise<{ text: string; path: string } | undefined> {
  for (const candidate of new Set(candidates)) {
    const full = path.resolve(root, candidate);
    // A patch names files inside the tree; `../` must not read outside it.
    if (!full.startsWith(path.resolve(root) + path.sep)) continue;
    try {
      return { text: await readFile(full, 'utf8'), path: candidate };
    } catch {
      // Not under this name; try the next.
    }
  }
  return undefined;
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
