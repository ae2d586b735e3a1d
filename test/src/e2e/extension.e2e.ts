import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, workspace } from './poll';
import type { LivepatchLensApi } from '../../../client/out/extension';

const extensionId = 'livepatch-lens.livepatch-lens';

async function symbolsOf(file: string): Promise<vscode.DocumentSymbol[]> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), file)));
  await vscode.window.showTextDocument(document);
  return eventually(
    `document symbols of ${file}`,
    async () => (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri)) ?? [],
    (symbols) => symbols.length > 0,
  );
}

suite('Livepatch Lens in a real VS Code', () => {
  let api: LivepatchLensApi;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<LivepatchLensApi>(extensionId);
    assert.ok(extension, `${extensionId} is installed`);
    // Opening a C file is what activates it for a user.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), 'klp_module.c'))));
    await eventually(
      'activation by opening a C file',
      () => extension.isActive,
      (active) => active,
    );
    api = extension.exports;
    console.log(`    VS Code ${vscode.version} (${vscode.env.appName}), extension ${(extension.packageJSON as { version: string }).version} from ${extension.extensionPath}`);
  });

  test('the status bar reports the language server running', async () => {
    await eventually(
      'server state',
      () => api.serverState(),
      (state) => state === 'running',
    );
    const status = await eventually(
      'the target in the status bar',
      () => api.statusBar(),
      (s) => /sample-target/.test(s.text),
    );
    assert.equal(status.text, '$(check) Livepatch: sample-target (sample)');
    assert.match(status.tooltip, /the bundled sample target/);
    assert.equal(status.error, false);
  });

  test('document symbols of a sample payload come from the language server', async () => {
    const symbols = await symbolsOf('klp_module.c');
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['funcs', 'ext4_funcs', 'objs', 'patch'],
    );
    assert.deepEqual(
      symbols[0].children.map((s) => s.name),
      ['cmdline_proc_show', 'show_stat'],
    );
    assert.equal(symbols[0].children[1].detail, '.old_name = "show_stat" .new_func = livepatch_cmdline_proc_show .old_sympos = 2');
    const xen = await symbolsOf('xen_payload.c');
    assert.equal(xen[0].name, 'livepatch_xen_hello_world');
    assert.equal(xen[0].kind, vscode.SymbolKind.Struct);
    assert.deepEqual(
      xen.filter((s) => s.kind === vscode.SymbolKind.Event).map((s) => s.name),
      ['LIVEPATCH_LOAD_HOOK(apply_hook)', 'LIVEPATCH_UNLOAD_HOOK(revert_hook)'],
    );
  });

  test('document symbols of the bundled samples (livepatch-sample.c, xen_hello_world.c)', async () => {
    const klp = await symbolsOf('livepatch-sample.c');
    assert.deepEqual(
      klp.map((s) => [s.name, s.children.map((c) => c.name)]),
      [
        ['funcs', ['cmdline_proc_show']],
        ['objs', ['vmlinux']],
        ['patch', []],
      ],
    );
    const xen = await symbolsOf('xen_hello_world.c');
    assert.deepEqual(
      xen.map((s) => s.name),
      ['LIVEPATCH_LOAD_HOOK(hi_func)', 'LIVEPATCH_UNLOAD_HOOK(bye_func)', 'livepatch_xen_hello_world'],
    );
    assert.match(xen[2].detail, /\.name = hello_world_patch_this_fnc \("xen_extra_version"\)/);
  });

  test('a C file without livepatch constructs has no symbols from us', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), 'plain.c')));
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri)) ?? [];
    assert.deepEqual(
      symbols.map((s) => s.name),
      [],
    );
  });

  test('the restart command brings the language server back to running', async () => {
    const state = await vscode.commands.executeCommand<string>('livepatch.restartServer');
    assert.equal(state, 'running');
    assert.match(api.statusBar().text, /\$\(check\)/);
    const symbols = await symbolsOf('klp_module.c');
    assert.equal(symbols[0].name, 'funcs', 'the restarted server answers');
  });

  test('every command the manifest contributes is registered, and Show Output runs', async () => {
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.includes('livepatch.showOutput') && contributed.includes('livepatch.restartServer'));
    const registered = await vscode.commands.getCommands(true);
    assert.deepEqual(
      contributed.filter((id) => !registered.includes(id)),
      [],
    );
    await vscode.commands.executeCommand('livepatch.showOutput');
  });
});
