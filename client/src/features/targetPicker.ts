import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { section } from '../config';
import type { Ctx } from '../ctx';
import { rememberTarget } from '../recentTargets';

const recentKey = 'livepatch.recentTargets';
const browse = '$(folder-opened) Browse...';
const bundled = '$(package) The bundled sample target';

/**
 * "Livepatch: Select Target...": the image the checks and the emulator use. Offers the targets
 * chosen before (kept in globalState, the ones still on disk), a file picker and the bundled
 * sample, and writes `livepatch.target` in the user settings, which restarts the server on it.
 * A path argument (a code lens, a test) skips the questions; '' selects the bundled sample.
 */
export async function selectTarget(ctx: Ctx, arg?: unknown): Promise<string | undefined> {
  const recent = ctx.extension.globalState.get<string[]>(recentKey, []);
  let chosen = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
  if (chosen === undefined) {
    const current = vscode.workspace.getConfiguration(section).get<string>('target', '');
    const items: vscode.QuickPickItem[] = [
      ...recent.filter((p) => existsSync(p)).map((p) => ({ label: path.basename(p), description: p === current ? `${p} (current)` : p, detail: undefined })),
      { label: browse, description: 'a vmlinux or xen-syms with its symbols' },
      { label: bundled, description: current ? '' : '(current)' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Livepatch: Select Target', placeHolder: 'The image your patches are for' });
    if (!picked) return undefined;
    if (picked.label === browse) {
      const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Select Target', title: 'The target image (vmlinux, xen-syms)' });
      if (!files?.[0]) return undefined;
      chosen = files[0].fsPath;
    } else chosen = picked.label === bundled ? '' : (picked.description ?? '').replace(/ \(current\)$/, '');
  }
  if (chosen) await ctx.extension.globalState.update(recentKey, rememberTarget(recent, chosen));
  // The user's own setting: the workspace's is ignored until it is trusted, and a target is per machine.
  await vscode.workspace.getConfiguration(section).update('target', chosen, vscode.ConfigurationTarget.Global);
  return chosen;
}
