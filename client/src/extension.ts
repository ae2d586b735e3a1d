import * as vscode from 'vscode';
import { affectsServerSettings } from './config';
import { registerCommands } from './commands';
import { Ctx, ServerState } from './ctx';
import * as statusBar from './features/statusBar';
import * as payloadEditor from './features/payloadEditor';
import * as emulator from './features/emulator';
import type { StatusPresentation } from './statusPresentation';

/** What the extension returns from activate(): read by the end-to-end tests and other extensions. */
export interface LivepatchLensApi {
  serverState(): ServerState;
  statusBar(): StatusPresentation;
}

let session: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LivepatchLensApi> {
  const ctx = new Ctx(context);
  session = ctx;
  registerCommands(ctx);
  const status = statusBar.activate(ctx);
  payloadEditor.activate(ctx);
  emulator.activate(ctx);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsServerSettings(event)) void ctx.restart();
    }),
  );
  await ctx.start();
  return { serverState: () => ctx.serverState, statusBar: () => status.current() };
}

export function deactivate(): Promise<void> | undefined {
  return session?.stop();
}
