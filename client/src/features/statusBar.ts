import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { presentStatus, StatusPresentation } from '../statusPresentation';

export function activate(ctx: Ctx): { current(): StatusPresentation } {
  const item = vscode.window.createStatusBarItem('livepatch.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'Livepatch Lens';
  const present = () => presentStatus(ctx.serverState, ctx.serverError, ctx.targetState, ctx.recovery);
  let current = present();
  const render = () => {
    current = present();
    item.text = current.text;
    item.tooltip = current.tooltip;
    item.command = 'livepatch.statusMenu';
    item.backgroundColor = current.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  render();
  item.show();
  ctx.extension.subscriptions.push(item, ctx.onDidChangeState(render), ctx.onDidChangeTarget(render));
  return { current: () => current };
}

const menu = [
  { command: 'livepatch.selectTarget', label: '$(target) Select Target...', detail: 'the vmlinux or xen-syms your patches are for' },
  { command: 'livepatch.showOutput', label: '$(output) Show Output', detail: "the language server's log" },
  { command: 'livepatch.restartServer', label: '$(debug-restart) Restart Language Server', detail: 'a fresh server; the emulator sessions start over' },
  { command: 'livepatch.openView', label: '$(eye) Open the Livepatch View', detail: 'the target and the emulator sessions' },
];

/** What a click on the status bar item shows; a server given up on puts Restart first. */
export async function showStatusMenu(ctx: Ctx): Promise<unknown> {
  const first = presentStatus(ctx.serverState, ctx.serverError, ctx.targetState, ctx.recovery).command;
  const items = first === 'livepatch.restartServer' ? [...menu].sort((a, b) => Number(b.command === first) - Number(a.command === first)) : menu;
  const picked = await vscode.window.showQuickPick(items, { title: 'Livepatch Lens', placeHolder: 'Livepatch Lens' });
  return picked ? vscode.commands.executeCommand(picked.command) : undefined;
}
