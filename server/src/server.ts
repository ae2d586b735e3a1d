import { CodeActionKind, Connection, InitializeResult, TextDocumentSyncKind } from 'vscode-languageserver';
import { CDocuments } from './features/cDocuments';
import { registerCodeActions } from './features/codeActions';
import { registerDefinition } from './features/definition';
import { registerDocumentSymbols } from './features/documentSymbols';
import { emulatorCommandIds, registerEmulatorCommands } from './features/emulatorCommands';
import { registerHover } from './features/hover';
import { Diagnostics } from './features/diagnostics';
import { OpenDocuments } from './features/openDocuments';
import { registerPayloadInspection } from './features/payloadInspection';
import { TargetService } from './features/targetService';

declare const LIVEPATCH_LENS_VERSION: string | undefined;

/** Wires the engine's features to a connection; stdio, IPC or an in-process stream pair alike. */
export function startServer(connection: Connection): void {
  const documents = new OpenDocuments();
  const cDocuments = new CDocuments(documents, (message) => connection.console.error(message));
  const target = new TargetService(connection);
  // The client's settings (client/src/config.ts), read once: changing them restarts the server.
  let settings: { target: string; sourceRoot: string } = { target: '', sourceRoot: '' };
  new Diagnostics(connection, documents, cDocuments, target, () => settings.sourceRoot);

  connection.onInitialize(({ initializationOptions }): InitializeResult => {
    settings = { ...settings, ...((initializationOptions as Partial<typeof settings> | undefined) ?? {}) };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: { label: 'Livepatch' },
        hoverProvider: true,
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: emulatorCommandIds },
      },
      serverInfo: { name: 'livepatch-lens', version: typeof LIVEPATCH_LENS_VERSION === 'string' ? LIVEPATCH_LENS_VERSION : 'development' },
    };
  });

  connection.onInitialized(() => {
    void target.load(settings.target);
    cDocuments.ready.then(
      () => connection.console.info('C grammar loaded'),
      (error) => connection.console.error(`cannot load the C grammar: ${error instanceof Error ? error.message : String(error)}`),
    );
  });

  registerDocumentSymbols(connection, cDocuments);
  registerHover(connection, documents, cDocuments, target);
  registerCodeActions(connection, documents);
  registerPayloadInspection(connection, target);
  registerEmulatorCommands(connection, target);
  registerDefinition(connection, cDocuments, target, () => settings.sourceRoot);

  documents.listen(connection);
  connection.listen();
}
