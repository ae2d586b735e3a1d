import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

/**
 * A check's docs link (a diagnostic's code, the inspector's links) names the bundled
 * `docs/checks/LPxxx.md`; opening it as text would show editable markdown of the extension's own
 * install. The tab is swapped for the rendered preview of the same file.
 */
export function activate(ctx: Ctx): void {
  const docs = ctx.extension.asAbsolutePath('docs') + path.sep;
  const isBundledDoc = (uri: vscode.Uri) => uri.scheme === 'file' && uri.fsPath.startsWith(docs) && uri.fsPath.endsWith('.md');
  ctx.extension.subscriptions.push(
    vscode.window.tabGroups.onDidChangeTabs(({ opened }) => {
      for (const tab of opened) {
        if (!(tab.input instanceof vscode.TabInputText) || !isBundledDoc(tab.input.uri)) continue;
        const uri = tab.input.uri;
        // Looked up again once the preview is there: opening it changes the group, and the old tab object with it.
        const textTabs = () =>
          vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
        void vscode.commands.executeCommand('markdown.showPreview', uri).then(() => vscode.window.tabGroups.close(textTabs()));
      }
    }),
  );
}
