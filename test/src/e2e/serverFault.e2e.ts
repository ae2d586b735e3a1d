import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';
import type { EmulatorCommandArgs, EmulatorCommandResult } from '../../../server/src/protocol';
import { fromRoot } from '../support/paths';
import { eventually, runningExtension, workspace } from './poll';

// The language server killed under the editor, as the kernel's OOM killer or a crash would:
// the client must bring it back, reopen what is open and give the emulator session back.

const hello = /return "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'payloads/xen/xen_hello_world_func.c'), 'utf8'))![1];

const emulator = async (verb: string, args: EmulatorCommandArgs = {}): Promise<EmulatorCommandResult> => {
  const result = await vscode.commands.executeCommand<EmulatorCommandResult>(`livepatch.emulator.${verb}`, args);
  assert.ok(result, `livepatch.emulator.${verb} answered`);
  return result;
};

const codes = (uri: vscode.Uri) =>
  vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'livepatch-lens')
    .map((d) => String(typeof d.code === 'object' ? d.code.value : d.code));

suite('A language server that dies in a real VS Code', () => {
  let api: LivepatchLensApi;

  suiteSetup(async () => {
    api = await runningExtension();
  });

  test('killed with SIGKILL, it is restarted, the open document is served again and the emulator session is replayed', async () => {
    assert.equal((await emulator('reset')).exitCode, 0);
    const payload = path.join(workspace(), 'xen_hello_world.livepatch');
    const loaded = await emulator('load', { path: payload });
    assert.equal(loaded.exitCode, 0, loaded.stderr);
    const called = await emulator('call', { function: 'xen_extra_version' });
    assert.equal(called.call?.string, hello);
    const listed = await emulator('list');
    assert.match(listed.stdout, /^xen_hello_world +\| APPLIED /m);

    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), 'klp_checks.c')));
    await vscode.window.showTextDocument(document);
    await eventually(
      'LP101 before the crash',
      () => codes(document.uri),
      (found) => found.includes('LP101'),
    );

    const pid = api.serverPid();
    assert.ok(pid, 'the server runs in a process of its own');
    process.kill(pid, 'SIGKILL');
    await eventually(
      'a new server process',
      () => api.serverPid(),
      (next) => next !== undefined && next !== pid,
    );
    const status = await eventually(
      'the status after the restart',
      () => api.statusBar(),
      (s) => api.serverState() === 'running' && /\(restarted 1\)$/.test(s.text),
    );
    assert.match(status.tooltip, /restarted after the server stopped unexpectedly \(1\)/);
    assert.equal(status.error, false);

    const restored = await eventually(
      'the emulator session restored',
      () => api.emulatorRestore(),
      (line) => line !== undefined,
    );
    assert.match(restored!, /^Emulator session restored after the server restart: 2 commands replayed/);
    assert.equal((await emulator('list')).stdout, listed.stdout, 'the same payloads in the same states as before the crash');
    assert.equal((await emulator('call', { function: 'xen_extra_version' })).call?.string, hello, 'the payload is applied in the new hypervisor');

    // The new server knows the open document: its quick fix and its answer to the edit come from it.
    const lp101 = await eventually(
      'LP101 from the new server',
      () => vscode.languages.getDiagnostics(document.uri).find((d) => typeof d.code === 'object' && d.code.value === 'LP101'),
      (d) => d !== undefined,
    );
    const actions = await eventually(
      'the quick fix from the new server',
      async () =>
        (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, lp101!.range, vscode.CodeActionKind.QuickFix.value)) ?? [],
      (found) => found.some((a) => a.title === 'Insert the { } sentinel'),
    );
    assert.equal(await vscode.workspace.applyEdit(actions.find((a) => a.title === 'Insert the { } sentinel')!.edit!), true);
    await eventually(
      'LP101 gone after the fix',
      () => codes(document.uri),
      (found) => !found.includes('LP101') && found.includes('LP108'),
    );
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await emulator('reset');
  });

  test('a server that dies on every start is given up on after 6 crashes, and the status item restarts it', async function () {
    // Eight server starts, each replaying the emulator session: seconds each on a loaded machine.
    this.timeout(240_000);
    // A start by the user begins a fresh count.
    assert.equal(await vscode.commands.executeCommand<string>('livepatch.restartServer'), 'running');
    for (let crash = 1; crash <= 6; crash++) {
      const pid = await eventually(
        `the server before crash ${crash}`,
        () => (api.serverState() === 'running' ? api.serverPid() : undefined),
        (p) => p !== undefined,
      );
      process.kill(pid!, 'SIGKILL');
      await eventually(
        `the client noticed crash ${crash}`,
        () => api.serverPid(),
        (next) => next !== pid,
      );
    }
    const stopped = await eventually(
      'given up',
      () => api.statusBar(),
      (s) => api.serverState() === 'stopped' && s.error,
    );
    assert.equal(stopped.text, '$(error) Livepatch: stopped after 6 crashes');
    assert.match(stopped.tooltip, /click to restart/);
    assert.equal(api.serverPid(), undefined, 'no seventh server');
    assert.equal(stopped.command, 'livepatch.restartServer');
    assert.equal(await vscode.commands.executeCommand<string>(stopped.command), 'running');
    await eventually(
      'the status after the restart by click',
      () => api.statusBar().text,
      (text) => text === '$(check) Livepatch: sample-target (sample)',
    );
  });
});
