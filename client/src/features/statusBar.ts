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
    item.command = current.command;
    item.backgroundColor = current.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  render();
  item.show();
  ctx.extension.subscriptions.push(item, ctx.onDidChangeState(render), ctx.onDidChangeTarget(render));
  return { current: () => current };
}
