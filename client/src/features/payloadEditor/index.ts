import * as vscode from 'vscode';
import { payloadInspectionChangedNotification, PayloadInspectionChangedParams } from '../../../../server/src/protocol';
import type { Ctx } from '../../ctx';
import { PayloadInspectorProvider } from './provider';
import { defaultViewType, optionViewType, viewTypeFor } from './viewTypes';

let provider: PayloadInspectorProvider | undefined;

export function activate(ctx: Ctx): void {
  provider = new PayloadInspectorProvider(ctx);
  const options = { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true };
  ctx.extension.subscriptions.push(
    vscode.window.registerCustomEditorProvider(defaultViewType, provider, options),
    vscode.window.registerCustomEditorProvider(optionViewType, provider, options),
  );
  // The server tells us when target-dependent results change (the target finished indexing).
  ctx.onNotification(payloadInspectionChangedNotification, (params: PayloadInspectionChangedParams) => void provider?.refresh(params.uri));
}

/** "Open in Payload Inspector": the active file, or one picked from disk. */
export async function openPayloadInspector(): Promise<void> {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  let uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Inspect', filters: { Payloads: ['livepatch', 'ko', 'o'], 'All files': ['*'] } });
    uri = picked?.[0];
  }
  if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri.fsPath));
}
