import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmulatorCommandResult } from '../../../server/src/protocol';
import { fromRoot } from '../support/paths';
import { eventually, runningExtension, workspace } from './poll';

// The emulator from the editor: the palette's Load Payload on the open payload, then the
// server's own commands (registered in VS Code by the language client) to call and revert.

/** What a sample's C source says a function returns. */
const returned = (file: string, pattern: RegExp): string => pattern.exec(readFileSync(fromRoot('samples', file), 'utf8'))![1];
const hello = returned('payloads/xen/xen_hello_world_func.c', /return "([^"]*)";/);
const unpatched = returned('target/version.c', /#define XEN_EXTRAVERSION "([^"]*)"/);

const activeTab = (): string | undefined => {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri.fsPath : undefined;
};

async function extraVersion(): Promise<string | null | undefined> {
  const result = await vscode.commands.executeCommand<EmulatorCommandResult>('livepatch.emulator.call', { function: 'xen_extra_version' });
  assert.equal(result.exitCode, 0, result.stderr);
  return result.call?.string;
}

suite('Emulator commands in a real VS Code', () => {
  suiteSetup(() => runningExtension());

  test('Load Payload loads the open hello world; the call sees "Hello World", and "-unstable" after revert', async () => {
    const file = path.join(workspace(), 'xen_hello_world.livepatch');
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), 'livepatch.payloadInspector');
    await eventually('the payload as the active tab', activeTab, (tab) => tab === file);

    const loaded = await vscode.commands.executeCommand<EmulatorCommandResult>('livepatch.loadPayload');
    assert.equal(loaded.exitCode, 0, loaded.stderr);
    assert.equal(loaded.stdout, `Uploading ${file}... completed\nApplying xen_hello_world... completed\n`);
    assert.ok(loaded.console.includes('(XEN) livepatch: xen_hello_world finished APPLY with rc=0'), loaded.console.join('\n'));
    assert.equal(await extraVersion(), hello);

    const reverted = await vscode.commands.executeCommand<EmulatorCommandResult>('livepatch.emulator.revert', { name: 'xen_hello_world' });
    assert.equal(reverted.exitCode, 0, reverted.stderr);
    assert.equal(reverted.stdout, 'Reverting xen_hello_world... completed\n');
    assert.equal(await extraVersion(), unpatched);
  });
});
