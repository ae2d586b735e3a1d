import * as vscode from 'vscode';

/**
 * Whether something that runs code from the workspace (the emulator runs payloads and boots the
 * target; builds and real machines run what the workspace says) may run; in an untrusted
 * workspace the user is told why not and how to trust it. Checked on every use, so granting
 * trust enables it at once.
 */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(`Livepatch Lens: ${what} is disabled in an untrusted workspace, because it runs code the workspace provides. Trust this workspace to use it.`, manage)
    .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
