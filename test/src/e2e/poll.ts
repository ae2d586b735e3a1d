import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';

/** The folder scripts/test-vscode.sh filled with fixtures and samples. */
export const workspace = (): string => process.env.E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** Polls instead of sleeping: the answer is there as soon as the server has it. */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

/** The extension activated, its server running and the server's emulator commands registered. */
export async function runningExtension(): Promise<LivepatchLensApi> {
  const api = await vscode.extensions.getExtension<LivepatchLensApi>('livepatch-lens.livepatch-lens')!.activate();
  await eventually(
    'the language server',
    () => api.serverState(),
    (state) => state === 'running',
  );
  // The language client registers the server's commands once it has initialized.
  await eventually(
    'livepatch.emulator.list registered',
    async () => (await vscode.commands.getCommands(true)).includes('livepatch.emulator.list'),
    (found) => found,
  );
  return api;
}
