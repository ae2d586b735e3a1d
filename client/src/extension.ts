import * as vscode from 'vscode';
import { affectsServerSettings } from './config';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import type { ServerState } from './statusPresentation';
import * as statusBar from './features/statusBar';
import * as payloadEditor from './features/payloadEditor';
import * as emulator from './features/emulator';
import * as docsPreview from './features/docsPreview';
import * as scenario from './features/scenario';
import type { StatusPresentation } from './statusPresentation';
import { lastTrustRefusal } from './workspaceTrust';

/** What the extension returns from activate(): read by the end-to-end tests and other extensions. */
export interface LivepatchLensApi {
  serverState(): ServerState;
  statusBar(): StatusPresentation;
  /** The language server's process id while it runs. */
  serverPid(): number | undefined;
  /** What the last restore of the emulator session after a server crash said. */
  emulatorRestore(): string | undefined;
  /** The Livepatch view and the context keys, as the emulator feature last set them. */
  emulator: emulator.EmulatorProbe;
  /** Milliseconds activate() took before it started the server. */
  activationMs: number;
  /** The last message that refused something because the workspace is not trusted. */
  trustRefusal(): string | undefined;
}

let session: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LivepatchLensApi> {
  const started = performance.now();
  const ctx = new Ctx(context);
  session = ctx;
  registerCommands(ctx);
  const status = statusBar.activate(ctx);
  payloadEditor.activate(ctx);
  emulator.activate(ctx);
  scenario.activate(ctx);
  docsPreview.activate(ctx);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsServerSettings(event)) void ctx.restart();
    }),
    // The workspace's values of restricted settings (the target, the limits) apply once it is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (ctx.settingsChanged) void ctx.restart();
    }),
  );
  const activationMs = performance.now() - started;
  await ctx.start();
  return {
    serverState: () => ctx.serverState,
    statusBar: () => status.current(),
    serverPid: () => ctx.serverPid,
    emulatorRestore: emulator.emulatorProbe.lastRestore,
    emulator: emulator.emulatorProbe,
    activationMs,
    trustRefusal: lastTrustRefusal,
  };
}

export function deactivate(): Promise<void> | undefined {
  return session?.stop();
}
