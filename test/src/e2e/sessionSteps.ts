import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ShownNode } from '../../../client/out/features/emulator/tree';
import type { EmulatorCommandArgs, EmulatorCommandResult } from '../../../server/src/protocol';
import { eventually } from './poll';

/** One of the server's emulator commands, as another extension runs it; it must answer. */
export async function emulatorCommand(verb: string, args: EmulatorCommandArgs = {}): Promise<EmulatorCommandResult> {
  const result = await vscode.commands.executeCommand<EmulatorCommandResult>(`livepatch.emulator.${verb}`, args);
  assert.ok(result, `livepatch.emulator.${verb} answered`);
  return result;
}

/** The node with this id in a tree as the Livepatch view's provider gives it. */
export function findNode(nodes: ShownNode[], id: string): ShownNode | undefined {
  for (const node of nodes) {
    const found = node.id === id ? node : findNode(node.children, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Runs a command of ours that must succeed, as a user's click would (not right on the heels of
 * the last change), and waits for `what` to show the change: `refreshMs` is its list of refresh
 * times, which must grow. The new times, for the figure; none when `shown()` says it is hidden.
 */
export async function timedStep(
  what: string,
  refreshMs: () => number[],
  shown: () => boolean,
  command: string,
  args: unknown[],
): Promise<{ result: EmulatorCommandResult; times: number[] }> {
  // VS Code's tree view delivers a refresh at once unless one came within the last 200 ms
  // (then at the end of that window): a user's click is the first case, so measure that one.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const before = refreshMs().length;
  const result = await vscode.commands.executeCommand<EmulatorCommandResult>(command, ...args);
  assert.ok(result, `${command} answered`);
  assert.equal(result.exitCode, 0, `${command}: ${result.stderr}`);
  if (!shown()) return { result, times: [] };
  const times = await eventually(`${what} refreshed after ${command}`, refreshMs, (t) => t.length > before, 10000);
  return { result, times: times.slice(before) };
}
