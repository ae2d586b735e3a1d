import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';
import { eventually, runningExtension, workspace } from './poll';

// A workspace the user has not trusted (scripts/test-vscode.sh runs this suite in a VS Code with
// Workspace Trust on and no trust granted): the checks run, the emulator refuses every command
// and says it is Workspace Trust, and no machine ever boots.

suite('An untrusted workspace in a real VS Code', () => {
  let api: LivepatchLensApi;

  suiteSetup(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs a workspace that is not trusted');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), 'klp_checks.c')));
    await vscode.window.showTextDocument(document);
    // The server's commands are registered in an untrusted workspace too: the client refuses to send them.
    api = await runningExtension();
  });

  test('the analysis runs: the checks publish their diagnostics', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'klp_checks.c'));
    const codes = await eventually(
      'diagnostics of klp_checks.c',
      () => vscode.languages.getDiagnostics(uri).map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)),
      (found) => found.includes('LP101'),
    );
    assert.ok(codes.length > 0);
  });

  test('every emulator command is refused with a message naming Workspace Trust, and no session boots', async () => {
    const payload = vscode.Uri.file(path.join(workspace(), 'xen_hello_world.livepatch'));
    const module = path.join(workspace(), 'livepatch-sample.ko');
    const attempts: Array<[string, unknown]> = [
      ['livepatch.loadPayload', payload],
      ['livepatch.uploadPayload', payload],
      ['livepatch.applyPayload', { name: 'xen_hello_world' }],
      ['livepatch.replacePayloads', { name: 'xen_hello_world' }],
      ['livepatch.revertPayload', { name: 'xen_hello_world' }],
      ['livepatch.unloadPayload', { name: 'xen_hello_world' }],
      ['livepatch.loadPayload', module],
      ['livepatch.enablePatch', { name: 'livepatch_sample' }],
      ['livepatch.disablePatch', { name: 'livepatch_sample' }],
      ['livepatch.forcePatch', { name: 'livepatch_sample' }],
      ['livepatch.removeModule', { name: 'livepatch_sample' }],
      ['livepatch.listPayloads', undefined],
      ['livepatch.resetEmulator', undefined],
      // The server's own commands, as another extension or a keybinding would run them.
      ['livepatch.emulator.load', { path: payload.fsPath }],
      ['livepatch.emulator.call', { function: 'xen_extra_version' }],
      ['livepatch.emulator.insmod', { path: module }],
    ];
    for (const [command, arg] of attempts) {
      assert.equal(await vscode.commands.executeCommand(command, arg), undefined, `${command} refused`);
      assert.match(api.trustRefusal() ?? '', /the emulator is disabled because Workspace Trust has not been granted/, command);
    }
    // The view says why, and never shows a session: nothing reached the server's emulator.
    assert.deepEqual(
      api.emulator.view().map((n) => n.id),
      ['target', 'untrusted'],
    );
    assert.equal(api.emulator.view()[1].label, 'Emulator disabled: this workspace is not trusted');
    assert.equal(api.emulator.contextKeys()['livepatch.emulator.runtime'], '');
  });
});
