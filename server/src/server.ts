import { CodeActionKind, Connection, InitializeResult, TextDocumentSyncKind } from 'vscode-languageserver';
import { AnalysisLanes } from './features/analysis/analysisLanes';
import { DocumentAnalyses } from './features/analysis/documentAnalyses';
import { registerCodeActions } from './features/codeActions';
import { registerCodeLenses } from './features/codeLens';
import { registerCompletion } from './features/completion';
import { registerDefinition } from './features/definition';
import { registerDocumentSymbols } from './features/documentSymbols';
import { EmulatorStates } from './features/emulator/emulatorStates';
import { emulatorCommandIds, registerEmulatorCommands } from './features/emulatorCommands';
import { registerHover } from './features/hover';
import { Diagnostics } from './features/diagnostics';
import { OpenDocuments } from './features/openDocuments';
import { registerPayloadInspection } from './features/payloadInspection';
import { registerScenarioDiagnostics } from './features/scenarioDiagnostics';
import { TargetService } from './features/targetService';
import { kernelConfigPath } from './c/kernelConfig';
import { WorkspaceCheck } from './features/workspaceCheck';
import { configureLimits, LimitName } from './limits';
import { fileURLToPath } from 'node:url';

declare const LIVEPATCH_LENS_VERSION: string | undefined;

/** The client's settings (client/src/config.ts), read once: changing them restarts the server. */
interface Settings {
  target: string;
  sourceRoot: string;
  /** `livepatch.kernelConfig`: empty, one is looked for next to the target and in the source root. */
  kernelConfig: string;
  /** `livepatch.limits.*`, in the units of limits.ts. */
  limits: Partial<Record<LimitName, number>>;
}

/** Wires the engine's features to a connection; stdio, IPC or an in-process stream pair alike. */
export function startServer(connection: Connection): void {
  const documents = new OpenDocuments();
  const target = new TargetService(connection);
  let settings: Settings = { target: '', sourceRoot: '', kernelConfig: '', limits: {} };
  // The workspace folders' paths: where the user's files are (messages, go to definition).
  let workspaceRoots: string[] = [];
  let lensRefresh = false;
  const emulatorStates = new EmulatorStates();
  // Analysis runs in worker threads, started with the first document (after initialize set the limits).
  const runner = new AnalysisLanes((message) => connection.console.error(message));
  const analysisContext = () => {
    const targetName = target.targetName();
    const sourceRoot = target.sourceRoot(settings.sourceRoot);
    const kernelConfig = kernelConfigPath({ configured: settings.kernelConfig, target: target.targetPath(), sourceRoot });
    return { sourceRoot, workspaceRoots, ...(targetName ? { targetName } : {}), ...(kernelConfig ? { kernelConfig } : {}) };
  };
  const analyses = new DocumentAnalyses(documents, runner, analysisContext);
  const workspace = new WorkspaceCheck(connection, documents, runner, analysisContext, target);
  new Diagnostics(connection, documents, analyses, (uri) => workspace.closed(uri));
  target.onDidChange((state) => {
    if (state.state === 'ready') runner.setTarget(state.shared);
    // No facts, but the source root may differ (the bundled sample's is the samples tree).
    if (state.state === 'failed') analyses.reanalyze();
  });

  connection.onInitialize(({ initializationOptions, workspaceFolders, rootUri, capabilities }): InitializeResult => {
    settings = { ...settings, ...((initializationOptions as Partial<Settings> | undefined) ?? {}) };
    const folders = workspaceFolders?.map((f) => f.uri) ?? (rootUri ? [rootUri] : []);
    workspaceRoots = folders.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
    lensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
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
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['"'], resolveProvider: true },
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
  registerHover(connection, documents, analyses, target, emulatorStates);
  registerCodeActions(connection, documents, target);
  registerCodeLenses(connection, analyses, emulatorStates, () => lensRefresh);
  registerCompletion(connection, documents, target);
  registerPayloadInspection(connection, target, (uri) => workspace.closed(uri));
  workspace.register();
  registerScenarioDiagnostics(connection, documents);
  const emulator = registerEmulatorCommands(connection, target, emulatorStates);
  registerDefinition(connection, analyses, target, { workspaceRoots: () => workspaceRoots, sourceRoot: () => settings.sourceRoot });

  documents.listen(connection);
  connection.listen();
}
