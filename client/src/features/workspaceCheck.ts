import * as vscode from 'vscode';
import { CheckWorkspaceFileResult, checkWorkspaceFileRequest, workspaceCheckGlob } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';

/** More than this many files is not a workspace of patches but a tree: the first ones are checked and the user told. */
const maxFiles = 5000;
/** Files checked at once: the server has one analysis worker per lane and one payload worker per file. */
const parallel = 2;

export interface WorkspaceCheckSummary {
  files: number;
  checked: number;
  findings: number;
  cancelled: boolean;
  /** From the file search to the last answer. */
  elapsedMs: number;
}

/**
 * Livepatch: Check Workspace: every patch, payload and patch-module source of the workspace
 * (files.exclude honoured, as findFiles does), checked by the server from disk with a count in
 * the progress notification; cancelling stops after the files in flight.
 */
export async function checkWorkspace(ctx: Ctx): Promise<WorkspaceCheckSummary | undefined> {
  const client = ctx.languageClient;
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('Livepatch Lens: the language server is not running; Check Workspace needs it.');
    return undefined;
  }
  const started = performance.now();
  const uris = await vscode.workspace.findFiles(workspaceCheckGlob, undefined, maxFiles + 1);
  const files = uris.slice(0, maxFiles).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const summary: WorkspaceCheckSummary = { files: files.length, checked: 0, findings: 0, cancelled: false, elapsedMs: 0 };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Livepatch: checking the workspace', cancellable: true }, async (progress, token) => {
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < files.length && !token.isCancellationRequested) {
        const uri = files[next++];
        const result = await client.sendRequest<CheckWorkspaceFileResult | null>(checkWorkspaceFileRequest, { uri: uri.toString() }).catch(() => null);
        done++;
        if (result?.checked) {
          summary.checked++;
          summary.findings += result.findings;
        }
        progress.report({ message: `${done}/${files.length} ${vscode.workspace.asRelativePath(uri)}`, increment: 100 / files.length });
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
    summary.cancelled = token.isCancellationRequested;
  });
  summary.elapsedMs = performance.now() - started;
  const more = uris.length > maxFiles ? ` (only the first ${maxFiles} files: narrow files.exclude to check the rest)` : '';
  void vscode.window.setStatusBarMessage(
    `Livepatch: ${summary.cancelled ? 'cancelled after' : 'checked'} ${summary.checked} of ${summary.files} file(s) in ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.findings} finding(s)${more}`,
    10000,
  );
  return summary;
}
