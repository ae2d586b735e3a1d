import { sharedCParser } from '../../c/cParser';
import { sourceFacts } from '../../c/sourceFacts';
import { classifyPatch } from '../../diff/classifyPatch';
import type { FileChange } from '../../diff/changes';
import { parseUnifiedDiff } from '../../diff/unifiedDiff';
import { documentBounds, documentBoundsCheck } from '../documentBounds';
import type { FactsProvider } from '../facts/functionFacts';
import { startOfFile, type Finding } from '../finding';
import { patchChecks } from './catalogue';
import { codeChecks } from './codeChecks';
import { finding, fileHeaderRange, lineRange, PatchContext } from './context';
import { dataChecks } from './dataChecks';
import { functionChecks } from './functionChecks';
import { pathChecks } from './pathChecks';

export interface AnalyzePatchOptions {
  /** The patch document's path or URI: the `file` of every finding. */
  file: string;
  /** The tree the patch applies to (`patch -p1 -d sourceRoot`); enables classification from both parsed versions. */
  sourceRoot?: string;
  /** The editor's workspace folders, for the paths messages print. */
  workspaceRoots?: readonly string[];
  /** Facts about the target (`targetFacts(index)`); without them, facts are inferred from the touched sources. */
  facts?: FactsProvider;
}

/**
 * The LP2xx findings for one unified diff. Never throws: a malformed patch, a file missing from
 * the source root, C that does not parse or a patch past the size bounds are findings themselves.
 */
export async function analyzePatch(text: string, options: AnalyzePatchOptions): Promise<Finding[]> {
  const outOfBounds = documentBounds(options.file, text);
  if (outOfBounds) return [outOfBounds];
  const patchLines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const context: PatchContext = {
    patchFile: options.file,
    patchLines,
    ...(options.sourceRoot ? { sourceRoot: options.sourceRoot } : {}),
    ...(options.workspaceRoots?.length ? { workspaceRoots: options.workspaceRoots } : {}),
    ...(options.facts ? { targetFacts: options.facts } : {}),
  };
  try {
    const diff = parseUnifiedDiff(text);
    const findings = diff.problems.map((p) => finding(patchChecks.malformed, context, lineRange(p.patchLine, context), `${p.message}.`));
    if (!diff.files.length) {
      if (text.trim() && !findings.length)
        findings.push(finding(patchChecks.malformed, context, startOfFile, 'not a unified diff: no `---`/`+++` file header (or `diff --git` line) was found.'));
      return findings;
    }
    const classified = await classifyPatch(diff, patchLines, await sharedCParser(), options.sourceRoot);
    if (!options.facts && classified.originals.length) context.sourceFacts = sourceFacts(classified.originals);
    for (const file of classified.files) findings.push(...fileFindings(file, context));
    const hunksOnly = classified.files.filter((f) => f.language === 'c' && f.basis === 'hunks');
    if (!options.sourceRoot && hunksOnly.length) findings.push(noSourceRoot(hunksOnly, context));
    return findings;
  } catch (error) {
    return [finding(patchChecks.malformed, context, startOfFile, `could not analyse this patch: ${error instanceof Error ? error.message : String(error)}.`)];
  }
}

function fileFindings(file: FileChange, context: PatchContext): Finding[] {
  const findings = pathChecks(file, context);
  for (const problem of file.problems) {
    if (problem.code === 'too-large') {
      // Not a fault of the patch: the file is analysed, from its hunks, as without a source root.
      const range = fileHeaderRange(file, context);
      findings.push({ code: documentBoundsCheck.id, severity: 'information', message: `${problem.message}.`, file: context.patchFile, range, where: file.path });
      continue;
    }
    const check = problem.code === 'not-applied' ? patchChecks.notApplied : patchChecks.unparsable;
    const fallback = problem.code === 'not-applied' ? ' This file was analysed from its hunks alone.' : '';
    findings.push(
      finding(check, context, problem.code === 'not-applied' ? lineRange(problem.patchLine, context) : fileHeaderRange(file, context), `${problem.message}.${fallback}`, {
        where: file.path,
      }),
    );
  }
  for (const entity of file.entities) {
    findings.push(...functionChecks(file, entity, context), ...dataChecks(file, entity, context), ...codeChecks(file, entity, context));
  }
  return findings;
}

function noSourceRoot(files: FileChange[], context: PatchContext): Finding {
  return finding(
    patchChecks.hunksOnly,
    context,
    fileHeaderRange(files[0], context),
    `${files.map((f) => f.path).join(', ')} ${files.length > 1 ? 'were' : 'was'} analysed from the hunks alone: functions are named from the \`@@\` context and the changed lines, and callers, inlining and struct layouts are unknown. Set livepatch.sourceRoot to the original tree (and a target with debug info) to classify every change exactly.`,
  );
}
