import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { kernelConfigOrNone } from '../../c/kernelConfig';
import { definedFunctionNames } from '../../c/definedFunctions';
import { findLivepatchConstructs } from '../../c/livepatchConstructs';
import type { Finding } from '../../checks';
import { cParseBound, documentBounds } from '../../checks/documentBounds';
import type { FactsProvider } from '../../checks/facts/functionFacts';
import { analyzePatch } from '../../checks/patch';
import { analyzeSource, sourceNeedsAnalysis } from '../../checks/source/analyzeSource';
import { patchedFunctions } from '../../checks/source/patchedFunctions';
import { limits, settingToRaise } from '../../limits';
import { serverDiagnostic, toLspDiagnostic } from '../lspDiagnostics';
import { outlineOf } from './outline';
import { encodePatchedSites, noPatchedSites } from './patchedSites';
import type { AnalysisJob, AnalysisResult } from './protocol';
import type { WorkerTrees } from './workerTrees';

/** Thrown between phases when the main thread no longer wants the job. */
export class JobCancelled extends Error {}

/**
 * At most `limits().diagnosticsPerDocument` diagnostics, then one that counts the rest: a
 * hundred thousand squiggles help nobody, and sending them would hold up every other request.
 */
function cappedDiagnostics(findings: Finding[], file: string): Diagnostic[] {
  const limit = limits().diagnosticsPerDocument;
  const shown = findings.slice(0, limit).map(toLspDiagnostic);
  if (findings.length > limit) {
    const message = `${findings.length - limit} more findings from here on are not shown (the limit is ${limit} per document); ${settingToRaise('diagnosticsPerDocument')} to see them all.`;
    shown.push(serverDiagnostic(file, message, DiagnosticSeverity.Information, findings[limit].range));
  }
  return shown;
}

/** One job, in the worker. `stop` says whether the main thread has given up on it. */
export async function analyzeDocument(job: AnalysisJob, trees: WorkerTrees, facts: FactsProvider | undefined, stop: () => boolean): Promise<AnalysisResult> {
  const checkpoint = () => {
    if (stop()) throw new JobCancelled();
  };
  const withFacts = facts ? { facts } : {};
  if (job.language === 'diff') {
    const findings = await analyzePatch(job.text, {
      file: job.file,
      ...(job.sourceRoot ? { sourceRoot: job.sourceRoot } : {}),
      ...(job.kernelConfig ? { kernelConfig: job.kernelConfig } : {}),
      workspaceRoots: job.workspaceRoots,
      ...withFacts,
    });
    return { diagnostics: cappedDiagnostics(findings, job.file), symbols: [], sites: noPatchedSites };
  }
  // Refused before parsing, as the CLI does: the parse is the cost the bounds are there for.
  const outOfBounds = documentBounds(job.file, job.text) ?? cParseBound(job.file, job.text);
  if (outOfBounds || !sourceNeedsAnalysis(job.text)) {
    trees.close(job.uri);
    return { diagnostics: outOfBounds ? [toLspDiagnostic(outOfBounds)] : [], symbols: [], sites: noPatchedSites };
  }
  const tree = trees.parse(job.uri, job.text, stop, kernelConfigOrNone(job.kernelConfig));
  checkpoint();
  if (!tree) throw new Error(`${job.file}: the C parser gave no tree`);
  const constructs = findLivepatchConstructs(tree);
  checkpoint();
  const findings = analyzeSource(tree, { file: job.file, ...withFacts, ...(job.targetName ? { targetName: job.targetName } : {}) }, constructs);
  checkpoint();
  return {
    diagnostics: cappedDiagnostics(findings, job.file),
    symbols: outlineOf(constructs, job.file),
    sites: encodePatchedSites(patchedFunctions(constructs), definedFunctionNames(tree)),
  };
}
