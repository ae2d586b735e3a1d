import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, workspace } from './poll';

async function open(file: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace(), file)));
  await vscode.window.showTextDocument(document);
  return document;
}

const codes = (uri: vscode.Uri) =>
  vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'livepatch-lens')
    .map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)));

suite('Livepatch Lens diagnostics, hover and quick fixes in a real VS Code', () => {
  test('a sample patch that changes a function inlined into __schedule gets LP210 in the Problems list, linked to its page', async () => {
    const document = await open('pick-next-task-inlined-into-schedule.patch');
    await eventually(
      'LP210 on the patch',
      () => codes(document.uri),
      (found) => found.includes('LP210'),
    );
    const diagnostic = vscode.languages.getDiagnostics(document.uri).find((d) => typeof d.code === 'object' && d.code.value === 'LP210')!;
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match((diagnostic.code as { target: vscode.Uri }).target.path, /docs\/checks\/LP210\.md$/);
    assert.match(diagnostic.message, /__schedule/);
  });

  test('the safe sample patch gets no error or warning', async () => {
    const document = await open('cmdline-safe.patch');
    const check = await open('pick-next-task-inlined-into-schedule.patch');
    await eventually(
      'the other patch is analysed',
      () => codes(check.uri),
      (found) => found.length > 0,
    );
    const serious = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(
      serious.map((d) => d.message),
      [],
    );
  });

  test('hover on a patched function shows the target facts', async () => {
    const document = await open('klp_checks.c');
    await eventually(
      'target-fact diagnostics',
      () => codes(document.uri),
      (found) => found.includes('LP108'),
    );
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('"pick_next_task"'));
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('pick_next_task') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*pick_next_task\*\*/);
    assert.match(text, /⚠ `__schedule`/);
  });

  test('the quick fix for a missing sentinel applies, and the diagnostic goes away', async () => {
    const document = await open('klp_checks.c');
    await eventually(
      'LP101',
      () => codes(document.uri),
      (found) => found.includes('LP101'),
    );
    const lp101 = vscode.languages.getDiagnostics(document.uri).find((d) => typeof d.code === 'object' && d.code.value === 'LP101')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, lp101.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Insert the { } sentinel');
    assert.ok(fix?.edit, `offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    await eventually(
      'LP101 gone after the fix',
      () => codes(document.uri),
      (found) => !found.includes('LP101') && found.includes('LP108'),
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
