import { Connection, InitializeResult, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CDocuments } from './features/cDocuments';
import { registerDocumentSymbols } from './features/documentSymbols';

declare const LIVEPATCH_LENS_VERSION: string | undefined;

/** Wires the engine's features to a connection; stdio, IPC or an in-process stream pair alike. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const cDocuments = new CDocuments();

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      documentSymbolProvider: { label: 'Livepatch' },
    },
    serverInfo: { name: 'livepatch-lens', version: typeof LIVEPATCH_LENS_VERSION === 'string' ? LIVEPATCH_LENS_VERSION : 'development' },
  }));

  connection.onInitialized(() => {
    cDocuments.ready.then(
      () => connection.console.info('C grammar loaded'),
      (error) => connection.console.error(`cannot load the C grammar: ${error instanceof Error ? error.message : String(error)}`),
    );
  });

  // Parse while the user types, so a symbol or hover request finds the tree ready.
  documents.onDidChangeContent(({ document }) => {
    cDocuments.treeOf(document).catch((error) => connection.console.error(`parsing ${document.uri} failed: ${String(error)}`));
  });
  documents.onDidClose(({ document }) => void cDocuments.close(document.uri));

  registerDocumentSymbols(connection, documents, cDocuments);

  documents.listen(connection);
  connection.listen();
}
