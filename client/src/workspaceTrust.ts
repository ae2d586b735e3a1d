import * as vscode from 'vscode';

let refusal: string | undefined;

/**
 * Whether something that runs code from the workspace (the emulator runs payloads and boots the
 * target; builds and real machines run what the workspace says) may run; in an untrusted
 * workspace the user is told why not and how to trust it. Checked on every use, so granting
 * trust enables it at once.
 */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  refusal = `Livepatch Lens: ${what} is disabled because Workspace Trust has not been granted to this workspace: it runs code the workspace provides. Trust this workspace to use it.`;
  void vscode.window.showWarningMessage(refusal, manage).then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}

/** The last refusal's message (the end-to-end tests check what the user was told). */
export const lastTrustRefusal = (): string | undefined => refusal;
