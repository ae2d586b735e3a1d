import { sharedCParser } from '../../c/cParser';
import { loadKernelConfig, type KernelConfig } from '../../c/kernelConfig';
import { sourceFacts } from '../facts/sourceFacts';
import { classifyPatch } from '../../diff/classifyPatch';
import type { FileChange } from '../../diff/changes';
import { parseUnifiedDiff } from '../../diff/unifiedDiff';
import { documentBounds, documentBoundsCheck } from '../documentBounds';
import type { FactsProvider } from '../facts/functionFacts';
import { startOfFile, type Finding } from '../finding';
import { patchChecks, type PatchCheck } from './catalogue';
import { codeChecks } from './codeChecks';
import { compareFiles } from './comparedFiles';
import { finding, fileHeaderRange, lineRange, PatchContext } from './context';
import { dataChecks } from './dataChecks';
import { exportedSymbolChecks } from './exportedSymbols';
import { functionChecks } from './functionChecks';
import { noFunctionalChange } from './noFunctionalChange';
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
  /** The kernel's `.config` or `autoconf.h` (`kernelConfigPath`): `CONFIG_*` conditions are evaluated with it. */
  kernelConfig?: string;
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
    const config = options.kernelConfig && options.sourceRoot ? readConfig(options.kernelConfig, context, findings) : undefined;
    const classified = await classifyPatch(diff, patchLines, await sharedCParser(), options.sourceRoot, config);
    if (!options.facts && classified.originals.length) context.sourceFacts = sourceFacts(classified.originals);
    for (const file of classified.files) findings.push(...fileFindings(file, context));
    const compared = compareFiles(diff, classified.files);
    // What a malformed patch changes is not known well enough to say it changes nothing.
    if (!diff.problems.length) findings.push(...noFunctionalChange(compared, context));
    findings.push(...exportedSymbolChecks(compared, context));
    const hunksOnly = classified.files.filter((f) => f.language === 'c' && f.basis === 'hunks');
    if (!options.sourceRoot && hunksOnly.length) findings.push(noSourceRoot(hunksOnly, context));
    return findings;
  } catch (error) {
    return [finding(patchChecks.malformed, context, startOfFile, `could not analyse this patch: ${error instanceof Error ? error.message : String(error)}.`)];
  }
}

/** The configuration, or a warning that says why not: the conditions on `CONFIG_*` are then unknown. */
function readConfig(file: string, context: PatchContext, findings: Finding[]): KernelConfig | undefined {
  try {
    return loadKernelConfig(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    findings.push(
      finding(
        patchChecks.kernelConfig,
        context,
        startOfFile,
        `cannot read the kernel configuration: ${reason.includes(file) ? reason : `${file}: ${reason}`}; conditions on CONFIG_* are read as unknown (the first branch is analysed).`,
      ),
    );
    return undefined;
  }
}

const problemChecks: Record<Exclude<FileChange['problems'][number]['code'], 'too-large'>, PatchCheck> = {
  'not-applied': patchChecks.notApplied,
  reversed: patchChecks.reversed,
  moved: patchChecks.moved,
  strip: patchChecks.strip,
  syntax: patchChecks.unparsable,
  'not-compiled': patchChecks.notCompiled,
  'assumed-branch': patchChecks.assumedBranch,
};

function fileFindings(file: FileChange, context: PatchContext): Finding[] {
  const findings = pathChecks(file, context);
  for (const problem of file.problems) {
    if (problem.code === 'too-large') {
      // Not a fault of the patch: the file is analysed, from its hunks, as without a source root.
      const range = fileHeaderRange(file, context);
      findings.push({ code: documentBoundsCheck.id, severity: 'information', message: `${problem.message}.`, file: context.patchFile, range, where: file.path });
      continue;
    }
    const check = problemChecks[problem.code];
    const fallback = file.basis === 'hunks' && (problem.code === 'not-applied' || problem.code === 'reversed') ? ' This file was analysed from its hunks alone.' : '';
    const onFile = problem.code === 'syntax' || problem.code === 'strip';
    findings.push(
      finding(check, context, onFile ? fileHeaderRange(file, context) : lineRange(problem.patchLine, context), `${problem.message}.${fallback}`, {
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
