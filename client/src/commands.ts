import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { openPayloadInspector } from './features/payloadEditor';
import { emulatorCommandTable } from './features/emulator';
import { showStatusMenu } from './features/statusBar';
import { openSampleWorkspace } from './features/sampleWorkspace';
import { runScenario } from './features/scenario';
import { selectTarget } from './features/targetPicker';
import { checkWorkspace } from './features/workspaceCheck';
import { realMachineCommandTable } from './features/realMachine';

/**
 * Every command of the extension, registered once at activation whatever the server's state,
 * so a command never fails with "command not found" while the server restarts. Arguments pass
 * through: a view item, a menu's URI or a caller's `{ name }` reaches the handler.
 */
const commands: Record<string, (ctx: Ctx, ...args: unknown[]) => unknown> = {
  'livepatch.restartServer': async (ctx) => {
    await ctx.restart();
    return ctx.serverState;
  },
  'livepatch.showOutput': (ctx) => ctx.output.show(true),
  'livepatch.openPayloadInspector': () => openPayloadInspector(),
  ...emulatorCommandTable,
  'livepatch.selectTarget': selectTarget,
  'livepatch.statusMenu': showStatusMenu,
  'livepatch.openView': () => vscode.commands.executeCommand('workbench.view.extension.livepatch'),
  'livepatch.checkWorkspace': checkWorkspace,
  'livepatch.runScenario': (ctx, file) => runScenario(ctx, file),
  'livepatch.openSampleWorkspace': (ctx, options) => openSampleWorkspace(ctx, options ?? {}),
  ...realMachineCommandTable,
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, run] of Object.entries(commands)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => run(ctx, ...args)));
  }
}

export const commandIds = Object.keys(commands);
