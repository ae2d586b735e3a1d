import { CodeActionKind, Connection, InitializeResult, TextDocumentSyncKind } from 'vscode-languageserver';
import { AnalysisLanes } from './features/analysis/analysisLanes';
import { DocumentAnalyses } from './features/analysis/documentAnalyses';
import { registerCodeActions } from './features/codeActions';
import { registerDefinition } from './features/definition';
import { registerDocumentSymbols } from './features/documentSymbols';
import { emulatorCommandIds, registerEmulatorCommands } from './features/emulatorCommands';
import { registerHover } from './features/hover';
import { Diagnostics } from './features/diagnostics';
import { OpenDocuments } from './features/openDocuments';
import { registerPayloadInspection } from './features/payloadInspection';
import { registerScenarioDiagnostics } from './features/scenarioDiagnostics';
import { TargetService } from './features/targetService';
import { WorkspaceCheck } from './features/workspaceCheck';
import { configureLimits, LimitName } from './limits';

declare const LIVEPATCH_LENS_VERSION: string | undefined;

/** The client's settings (client/src/config.ts), read once: changing them restarts the server. */
interface Settings {
  target: string;
  sourceRoot: string;
  /** `livepatch.limits.*`, in the units of limits.ts. */
  limits: Partial<Record<LimitName, number>>;
}

/** Wires the engine's features to a connection; stdio, IPC or an in-process stream pair alike. */
export function startServer(connection: Connection): void {
  const documents = new OpenDocuments();
  const target = new TargetService(connection);
  let settings: Settings = { target: '', sourceRoot: '', limits: {} };
  // Analysis runs in worker threads, started with the first document (after initialize set the limits).
  const runner = new AnalysisLanes((message) => connection.console.error(message));
  const analysisContext = () => {
    const targetName = target.targetName();
    return { sourceRoot: target.sourceRoot(settings.sourceRoot), ...(targetName ? { targetName } : {}) };
  };
  const analyses = new DocumentAnalyses(documents, runner, analysisContext);
  const workspace = new WorkspaceCheck(connection, documents, runner, analysisContext, target);
  new Diagnostics(connection, documents, analyses, (uri) => workspace.closed(uri));
  target.onDidChange((state) => {
    if (state.state === 'ready') runner.setTarget(state.shared);
    // No facts, but the source root may differ (the bundled sample's is the samples tree).
    if (state.state === 'failed') analyses.reanalyze();
  });

  connection.onInitialize(({ initializationOptions }): InitializeResult => {
    settings = { ...settings, ...((initializationOptions as Partial<Settings> | undefined) ?? {}) };
    configureLimits(settings.limits ?? {});
    // prettier-ignore
    return {
      // prettier-ignore
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

  connection.onInitialized(() => void target.load(settings.target));
  connection.onShutdown(() => {
    runner.dispose();
    emulator.dispose();
  });

  registerDocumentSymbols(connection, analyses);
  registerHover(connection, documents, analyses, target);
  registerCodeActions(connection, documents);
  registerPayloadInspection(connection, target, (uri) => workspace.closed(uri));
  workspace.register();
  registerScenarioDiagnostics(connection, documents);
  const emulator = registerEmulatorCommands(connection, target);
  registerDefinition(connection, analyses, target, () => settings.sourceRoot);

  documents.listen(connection);
  connection.listen();
}
