import { Connection, DocumentSymbol, DocumentSymbolParams } from 'vscode-languageserver';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { guarded } from './guard';

/** The outline comes with each analysis, built in the worker (analysis/outline.ts). */
export function registerDocumentSymbols(connection: Connection, analyses: DocumentAnalyses): void {
  connection.onDocumentSymbol(
    guarded(connection, 'documentSymbol', [] as DocumentSymbol[], async (params: DocumentSymbolParams) => (await analyses.current(params.textDocument.uri))?.symbols ?? []),
  );
}
