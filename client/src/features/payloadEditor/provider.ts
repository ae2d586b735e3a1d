import * as path from 'node:path';
import * as vscode from 'vscode';
import { closePayloadNotification, InspectPayloadResult, inspectPayloadRequest } from '../../../../server/src/protocol';
import type { Ctx } from '../../ctx';
import { hostPage } from '../../webview/panelHost';
import { inspectorBody } from './html';
import { FromWebview, ToWebview } from './messages';

/** A payload file; read-only, so the document is only its URI. */
class PayloadDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/**
 * The payload inspector: a read-only custom editor whose data comes from the language server
 * (which also publishes the diagnostics for the file), re-read whenever the file changes.
 */
export class PayloadInspectorProvider implements vscode.CustomReadonlyEditorProvider<PayloadDocument> {
  private readonly refreshers = new Map<string, Set<() => Promise<void>>>();

  constructor(private readonly ctx: Ctx) {}

  openCustomDocument(uri: vscode.Uri): PayloadDocument {
    return new PayloadDocument(uri);
  }

  /** Asks every open inspector of `uri` (or of all payloads) to read again. */
  async refresh(uri?: string): Promise<void> {
    const targets = uri ? [this.refreshers.get(uri) ?? new Set()] : [...this.refreshers.values()];
    await Promise.all(targets.flatMap((set) => [...set].map((run) => run())));
  }

  resolveCustomEditor(document: PayloadDocument, panel: vscode.WebviewPanel): void {
    const title = path.basename(document.uri.fsPath);
    const page = hostPage<ToWebview, FromWebview>(panel.webview, this.ctx.extension.extensionUri, { asset: 'payloadInspector', title, body: inspectorBody(title) });
    const uri = document.uri.toString();
    const post = (message: ToWebview) => page.post(message);
    const load = async (): Promise<void> => {
      const client = this.ctx.languageClient;
      if (!client?.isRunning()) return post({ type: 'error', message: 'The Livepatch Lens language server is not running; the inspector reads the payload when it is back.' });
      try {
        const result = await client.sendRequest<InspectPayloadResult | null>(inspectPayloadRequest, { uri });
        post(result ? { type: 'inspection', result } : { type: 'error', message: 'The language server could not inspect this file; see the Livepatch Lens output.' });
      } catch (error) {
        post({ type: 'error', message: `Inspecting ${document.uri.fsPath} failed: ${error instanceof Error ? error.message : String(error)}` });
      }
    };
    const set = this.refreshers.get(uri) ?? new Set();
    this.refreshers.set(uri, set.add(load));

    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(document.uri.fsPath)), path.basename(document.uri.fsPath)));
    const subscriptions = [
      watcher,
      watcher.onDidChange(load),
      watcher.onDidCreate(load),
      this.ctx.onDidChangeState((state) => void (state === 'running' && load())),
      page.onMessage((message) => {
        if (message.type === 'ready' || message.type === 'refresh') void load();
        else if (message.type === 'openDocs') void openDocs(message.url);
      }),
    ];
    panel.onDidDispose(() => {
      set.delete(load);
      if (!set.size) {
        this.refreshers.delete(uri);
        const client = this.ctx.languageClient;
        if (client?.isRunning()) void client.sendNotification(closePayloadNotification, { uri });
      }
      for (const s of subscriptions) s.dispose();
    });
  }
}

/** Docs pages ship as Markdown inside the extension: show them rendered. */
async function openDocs(url: string): Promise<void> {
  const uri = vscode.Uri.parse(url);
  if (uri.scheme !== 'file') return;
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri);
  }
}
