import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceCheckSummary } from '../../../client/out/features/workspaceCheck';
import type { ScenarioRun } from '../../../client/out/features/scenario';
import { eventually, runningExtension, workspace } from './poll';

const extensionId = 'livepatch-lens.livepatch-lens';
const codes = (uri: vscode.Uri) =>
  vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'livepatch-lens')
    .map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)));
const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

suite('Check Workspace, scenario files and getting started in a real VS Code', () => {
  // Files no other suite opens: their findings can only come from Check Workspace.
  const folder = () => path.join(workspace(), 'closed');
  const module = () => vscode.Uri.file(path.join(folder(), 'closed_module.c'));
  const patch = () => vscode.Uri.file(path.join(folder(), 'closed.patch'));

  suiteSetup(async () => {
    // The server-fault suite runs just before and leaves the server given up on if it fails: start afresh.
    await vscode.commands.executeCommand('livepatch.restartServer');
    await runningExtension();
    mkdirSync(folder(), { recursive: true });
    writeFileSync(module().fsPath, readFileSync(path.join(workspace(), 'klp_checks.c')));
    writeFileSync(patch().fsPath, readFileSync(path.join(workspace(), 'pick-next-task-inlined-into-schedule.patch')));
  });

  test('Check Workspace fills Problems for closed files, and a change on disk updates them', async () => {
    assert.deepEqual(codes(module()), []);
    const summary = await vscode.commands.executeCommand<WorkspaceCheckSummary>('livepatch.checkWorkspace');
    assert.equal(summary.cancelled, false);
    console.log(`[e2e] Check Workspace: ${summary.checked} of ${summary.files} files, ${summary.findings} findings, ${summary.elapsedMs.toFixed(0)} ms`);
    assert.ok(summary.checked >= 4 && summary.findings > 0, JSON.stringify(summary));
    assert.ok(!isOpen(module()) && !isOpen(patch()), 'checked from disk, never opened');
    assert.ok(codes(module()).includes('LP101'), `LP101 in Problems: ${codes(module()).join(',')}`);
    assert.ok(codes(patch()).includes('LP210'));
    // The sentinel added on disk (not in an editor): the file watcher has it checked again.
    const lines = readFileSync(module().fsPath, 'utf8').split('\n');
    lines.splice(lines.findIndex((l) => l.includes('.old_sympos = 1 },')) + 1, 0, '\t{ }');
    writeFileSync(module().fsPath, lines.join('\n'));
    await eventually(
      'LP101 gone after the file changed on disk',
      () => codes(module()),
      (found) => !found.includes('LP101') && found.length > 0,
    );
  });

  test('a scenario file: its language, diagnostics for an unknown command and a missing payload, and the Run lens', async () => {
    const file = path.join(workspace(), 'typos.xlp');
    writeFileSync(file, '# typos\nlsit\nload xen_hello_world.livepatch\nload missing.livepatch\n');
    const document = await vscode.window.showTextDocument(vscode.Uri.file(file)).then((e) => e.document);
    assert.equal(document.languageId, 'livepatch-scenario');
    const found = await eventually(
      'scenario diagnostics',
      () => vscode.languages.getDiagnostics(document.uri).map((d) => [d.range.start.line, d.message.split(':')[0]]),
      (d) => d.length > 0,
    );
    assert.deepEqual(found, [
      [1, "unknown command 'lsit'"],
      [3, 'missing.livepatch'],
    ]);
    const good = path.join(workspace(), 'hello.xlp');
    writeFileSync(good, 'load xen_hello_world.livepatch\ncall xen_extra_version\n');
    // The lens provider runs on an open model only.
    await vscode.workspace.openTextDocument(vscode.Uri.file(good));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(good));
    const run = lenses.find((l) => l.command?.command === 'livepatch.runScenario');
    assert.ok(run?.command, 'a Run lens');
    assert.equal(run.range.start.line, 0);
    assert.ok(
      lenses.some((l) => l.command?.command === 'livepatch.runScenarioOnRealMachine'),
      'and one for the real machine',
    );
    const result = await vscode.commands.executeCommand<ScenarioRun>(run.command.command, ...((run.command.arguments ?? []) as unknown[]));
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /Hello World/);
  });

  test('the walkthrough is contributed with its pages, and Open Sample Workspace makes the folder with prebuilt payloads', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    const manifest = extension.packageJSON as { contributes: { walkthroughs: Array<{ id: string; steps: Array<{ media: { markdown: string } }> }> } };
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(walkthrough.steps.length, 5);
    for (const step of walkthrough.steps) assert.ok(existsSync(path.join(extension.extensionPath, step.media.markdown)), step.media.markdown);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${walkthrough.id}`, false);
    const parent = mkdtempSync(path.join(tmpdir(), 'lpl-samples-'));
    const copy = await vscode.commands.executeCommand<string>('livepatch.openSampleWorkspace', { parent, open: false });
    assert.equal(copy, path.join(parent, 'livepatch-samples'));
    for (const needed of [
      'build/target/sample-target',
      'build/payloads/xen/xen_hello_world.livepatch',
      'build/payloads/klp/livepatch-sample.ko',
      'demo.xlp',
      'scenarios/blocking-task.sh',
      'target/sched.c',
    ]) {
      assert.ok(existsSync(path.join(copy, needed)), needed);
    }
    assert.deepEqual(
      readdirSync(path.join(copy, 'build/payloads/klp')).filter((f) => !f.endsWith('.ko')),
      [],
      'only the modules, no objects or dependency files',
    );
  });

  test("a check's docs page opens as the rendered preview, not as editable markdown", async () => {
    const page = vscode.Uri.file(path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'docs', 'checks', 'LP101.md'));
    await vscode.commands.executeCommand('vscode.open', page);
    await eventually(
      'a markdown preview tab and no text tab for the page',
      () => {
        const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
        const preview = tabs.some((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));
        const text = tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === page.fsPath);
        return { preview, text };
      },
      (state) => state.preview && !state.text,
      20000,
    );
  });
});
