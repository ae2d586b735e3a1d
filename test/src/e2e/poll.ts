import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

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
