import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { findLivepatchConstructs } from '../../c/livepatchConstructs';
import type { Finding } from '../../checks';
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

/** A document past limits().documentBytes is not read at all: one diagnostic says why. */
function tooLarge(file: string, bytes: number): AnalysisResult {
  const message = `${bytes} bytes, more than the ${limits().documentBytes} a document may have, so it is not analysed; ${settingToRaise('documentBytes')} to analyse it.`;
  return { diagnostics: [serverDiagnostic(file, message)], symbols: [], sites: noPatchedSites };
}

/** One job, in the worker. `stop` says whether the main thread has given up on it. */
export async function analyzeDocument(job: AnalysisJob, trees: WorkerTrees, facts: FactsProvider | undefined, stop: () => boolean): Promise<AnalysisResult> {
  const checkpoint = () => {
    if (stop()) throw new JobCancelled();
  };
  const bytes = Buffer.byteLength(job.text);
  if (bytes > limits().documentBytes) {
    trees.close(job.uri);
    return tooLarge(job.file, bytes);
  }
  const withFacts = facts ? { facts } : {};
  if (job.language === 'diff') {
    const findings = await analyzePatch(job.text, { file: job.file, ...(job.sourceRoot ? { sourceRoot: job.sourceRoot } : {}), ...withFacts });
    return { diagnostics: cappedDiagnostics(findings, job.file), symbols: [], sites: noPatchedSites };
  }
  if (!sourceNeedsAnalysis(job.text)) {
    trees.close(job.uri);
    return { diagnostics: [], symbols: [], sites: noPatchedSites };
  }
  const tree = trees.parse(job.uri, job.text, stop);
  checkpoint();
  if (!tree) throw new Error(`${job.file}: the C parser gave no tree`);
  const constructs = findLivepatchConstructs(tree);
  checkpoint();
  const findings = analyzeSource(tree, { file: job.file, ...withFacts, ...(job.targetName ? { targetName: job.targetName } : {}) }, constructs);
  checkpoint();
  return { diagnostics: cappedDiagnostics(findings, job.file), symbols: outlineOf(constructs, job.file), sites: encodePatchedSites(patchedFunctions(constructs)) };
}
