import type { Parser } from 'web-tree-sitter';
import { compiledBranches, withoutDeadBranches, type CompiledText } from '../c/conditionals';
import type { KernelConfig } from '../c/kernelConfig';
import { readDefinitions, readPatchedDefinitions, type ComparedDefinition, type SourceDefinitions } from '../c/sourceFacts/definitions';
import { howToRaise, limits, limitSpecs, utf8BytesPast } from '../limits';
import { FileChange, languageOf } from './changes';
import { classifyFromHunks } from './classifyHunks';
import { classifyFromSource } from './classifySource';
import { conditionalNotes } from './conditionalNotes';
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
 * the hunks alone. Both versions are read as compiled: one branch of each conditional group,
 * chosen with `config` when there is one (conditionals.ts), before the lines are windowed, so
 * a window never cuts a group in two.
 */
export async function classifyPatch(diff: ParsedDiff, patchText: readonly string[], parser: Parser, sourceRoot?: string, config?: KernelConfig): Promise<ClassifiedPatch> {
  const files: FileChange[] = [];
  const originals: SourceDefinitions[] = [];
  const parsedAfter = new Map<string, SourceDefinitions<ComparedDefinition>>();
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
    const tooLarge = rebuilt ? pastParseBound(rebuilt.oldPath, rebuilt.before, '') : undefined;
    if (tooLarge) change.problems.push({ patchLine: file.patchLine, message: tooLarge, code: 'too-large' });
    if (!rebuilt || tooLarge) {
      change.entities = classifyFromHunks(file, patchText);
      continue;
    }
    const { compiled: compiledBefore, definitions: before } = originalDefinitions(parser, rebuilt.oldPath, rebuilt.before, config);
    const compiledAfter = compiledBranches(rebuilt.after, config);
    const windowed = keepWindows(compiledAfter.text, touchedWindows(file, rebuilt.placements, before));
    const afterTooLarge = pastParseBound(change.path, windowed, ' after the patch (the lines around its hunks)');
    if (afterTooLarge) {
      change.problems.push({ patchLine: file.patchLine, message: afterTooLarge, code: 'too-large' });
      change.entities = classifyFromHunks(file, patchText);
      continue;
    }
    // A patch that changes one file in several diffs the same way would have the same text parsed once per diff.
    const afterKey = `${change.path}\0${windowed}`;
    const after = parsedAfter.get(afterKey) ?? readPatchedDefinitions(parser, change.path, windowed);
    parsedAfter.set(afterKey, after);
    for (const line of after.syntaxErrors.slice(0, 1)) {
      const strays = after.strayCommentCloses;
      const directive = after.unbalancedDirective;
      const why =
        line === after.unterminatedCommentLine
          ? `: the comment opened at line ${line + 1} is never closed, so the rest of the file is that comment`
          : line === strays?.line
            ? `: the \`*/\` at line ${line + 1} closes no comment, and ${strays.count - 1} more after it`
            : line === directive?.line
              ? `: \`${directive.text}\` at line ${line + 1} ${directive.problem === 'stray' ? 'belongs to no #if' : 'is never closed by an #endif'}`
              : ` (first error at line ${line + 1})`;
      change.problems.push({
        patchLine: file.patchLine,
        message: `${change.path} does not parse after the patch${why}; the changes near there may be misclassified`,
        code: 'syntax',
      });
    }
    change.problems.push(...conditionalNotes(file, rebuilt.placements, compiledBefore, compiledAfter, config?.path));
    change.basis = 'source';
    // The code comparisons (LP240-LP242) read what the compiler reads, as far as it is known: a
    // change only in a branch it leaves out changes no object, as kpatch-build finds.
    const [beforeCode, afterCode] = [withoutDeadBranches(rebuilt.before, compiledBefore), withoutDeadBranches(rebuilt.after, compiledAfter)];
    change.rebuilt = { before: beforeCode, after: afterCode, placements: rebuilt.placements, definitions: before };
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
 * The original files do not change while their patch is being edited: their chosen branches and
 * definitions are kept, keyed by the text itself and the configuration, so only the first
 * analysis of a kernel-sized file parses it.
 */
interface Original {
  text: string;
  config: KernelConfig | undefined;
  compiled: CompiledText;
  definitions: SourceDefinitions;
}
const originals = new Map<string, Original>();
const keptOriginals = 16;

function originalDefinitions(parser: Parser, filePath: string, text: string, config: KernelConfig | undefined): Original {
  const cached = originals.get(filePath);
  if (cached?.text === text && cached.config === config) return cached;
  const compiled = compiledBranches(text, config);
  const original = { text, config, compiled, definitions: readDefinitions(parser, filePath, compiled.text) };
  originals.delete(filePath);
  originals.set(filePath, original);
  if (originals.size > keptOriginals) originals.delete(originals.keys().next().value ?? '');
  return original;
}
