import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { presentStatus, StatusPresentation } from '../statusPresentation';

export function activate(ctx: Ctx): { current(): StatusPresentation } {
  const item = vscode.window.createStatusBarItem('livepatch.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'Livepatch Lens';
  item.command = 'livepatch.showOutput';
  let current = presentStatus(ctx.serverState, ctx.serverError, ctx.targetState);
  const render = () => {
    current = presentStatus(ctx.serverState, ctx.serverError, ctx.targetState);
    item.text = current.text;
    item.tooltip = current.tooltip;
    item.backgroundColor = current.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  render();
  item.show();
  ctx.extension.subscriptions.push(item, ctx.onDidChangeState(render), ctx.onDidChangeTarget(render));
  return { current: () => current };
}
