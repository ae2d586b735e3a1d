import * as assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, workspace } from './poll';

const activeViewType = (): string | undefined => {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input.viewType : undefined;
};

const codesOf = (uri: vscode.Uri): string[] =>
  vscode.languages
    .getDiagnostics(uri)
    .map((d) => String(typeof d.code === 'object' ? d.code.value : d.code))
    .sort();

suite('Payload inspector in a real VS Code', () => {
  test('opening a .livepatch opens the inspector, and its diagnostics reach the Problems list', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'xen_prepost_hooks.livepatch'));
    await vscode.commands.executeCommand('vscode.open', uri);
    await eventually("the active tab's view type", activeViewType, (viewType) => viewType === 'livepatch.payloadInspector');
    await eventually(
      'diagnostics of xen_prepost_hooks.livepatch',
      () => codesOf(uri),
      (codes) => codes.includes('LP317'),
    );
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => typeof d.code === 'object' && d.code.value === 'LP317')!;
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diagnostic.message, /REPLACE action is not supported on livepatches with vetoing hooks!/);
    assert.match(typeof diagnostic.code === 'object' ? diagnostic.code.target.toString() : '', /docs\/checks\/LP317\.md$/);
  });

  test('the inspector re-reads the file when it changes on disk', async () => {
    const file = path.join(workspace(), 'changing.livepatch');
    copyFileSync(path.join(workspace(), 'xen_prepost_hooks.livepatch'), file);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.open', uri);
    await eventually(
      'diagnostics before the change',
      () => codesOf(uri),
      (codes) => codes.includes('LP317'),
    );
    copyFileSync(path.join(workspace(), 'xen_hello_world.livepatch'), file);
    await eventually(
      'diagnostics after hello world replaced the file',
      () => codesOf(uri),
      (codes) => !codes.includes('LP317'),
    );
  });

  test('"Open in Payload Inspector" offers the inspector for a .ko', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'livepatch-sample.ko'));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'livepatch.payloadInspector.object');
    await eventually("the active tab's view type", activeViewType, (viewType) => viewType === 'livepatch.payloadInspector.object');
    const manifest = vscode.extensions.getExtension('livepatch-lens.livepatch-lens')!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.includes('livepatch.openPayloadInspector'));
  });
});
