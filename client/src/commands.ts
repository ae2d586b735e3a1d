import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { openPayloadInspector } from './features/payloadEditor';
import { emulatorCommandTable } from './features/emulator';
import { realMachineCommandTable } from './features/realMachine';

/**
 * Every command of the extension, registered once at activation whatever the server's state,
 * so a command never fails with "command not found" while the server restarts.
 */
const commands: Record<string, (ctx: Ctx) => unknown> = {
  'livepatch.restartServer': async (ctx) => {
    await ctx.restart();
    return ctx.serverState;
  },
  'livepatch.showOutput': (ctx) => ctx.output.show(true),
  'livepatch.openPayloadInspector': () => openPayloadInspector(),
  ...emulatorCommandTable,
  ...realMachineCommandTable,
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, run] of Object.entries(commands)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, () => run(ctx)));
  }
}

export const commandIds = Object.keys(commands);
