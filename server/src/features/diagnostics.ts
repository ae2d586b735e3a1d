import { Connection, Diagnostic } from 'vscode-languageserver';
import { fileURLToPath } from 'node:url';
import type { AnalysisOutcome } from './analysis/analysisRunner';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { serverDiagnostic } from './lspDiagnostics';
import type { OpenDocuments } from './openDocuments';
import { settingToRaise } from '../limits';

/** What the user sees instead of findings when a document's analysis did not complete. */
const notAnalysed = (uri: string, why: string): Diagnostic => serverDiagnostic(uri.startsWith('file:') ? fileURLToPath(uri) : uri, why);

const stopped = (afterMs: number) =>
  `the analysis was stopped after ${+(afterMs / 1000).toFixed(3)} s (the limit is ${afterMs} ms), so this document has no findings; ${settingToRaise('analysisTimeoutMs')} to analyse it fully.`;

/** The diagnostics an analysis outcome stands for; undefined when it was cancelled (a newer one follows). */
export function outcomeDiagnostics(connection: Connection, uri: string, outcome: AnalysisOutcome): Diagnostic[] | undefined {
  if (outcome.kind === 'analyzed') return outcome.result.diagnostics;
  if (outcome.kind === 'stopped') return [notAnalysed(uri, stopped(outcome.afterMs))];
  if (outcome.kind === 'failed') {
    connection.console.error(`checking ${uri} failed: ${outcome.message}`);
    // Findings of an older version would be wrong now; say why there are none.
    return [notAnalysed(uri, `the analysis failed (${outcome.message.split('\n')[0]}); the Livepatch Lens output has the details.`)];
  }
  return undefined;
}

/**
 * Publishes each analysis as it completes, tagged with the version analysed; a result for a
 * version the user has already changed is dropped, so a slow result never overwrites newer ones.
 * A closed document's diagnostics go, unless Check Workspace has findings for it (`onClosed`).
 */
export class Diagnostics {
  constructor(connection: Connection, documents: OpenDocuments, analyses: DocumentAnalyses, onClosed: (uri: string) => void) {
    analyses.onDidAnalyze((uri, version, outcome: AnalysisOutcome) => {
      if (documents.get(uri)?.version !== version) return;
      const diagnostics = outcomeDiagnostics(connection, uri, outcome);
      if (diagnostics) void connection.sendDiagnostics({ uri, version, diagnostics });
    });
    documents.onDidClose((uri) => {
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      onClosed(uri);
    });
  }
}
