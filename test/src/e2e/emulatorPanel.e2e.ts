import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';
import type { ShownNode } from '../../../client/out/features/emulator/tree';
import type { ScenarioRun } from '../../../client/out/features/scenario';
import type { EmulatorCommandResult } from '../../../server/src/protocol';
import { eventually, runningExtension, workspace } from './poll';
import { emulatorCommand, findNode, timedStep } from './sessionSteps';

// The emulator panel, the code lenses, completion, the did-you-mean fix and Run Scenario in a
// real VS Code. The panel is asserted through what its page says it drew (its DOM, read back by
// the page's script): the events are the commands' own answers, the task rows what `ps` prints.

const extensionId = 'livepatch-lens.livepatch-lens';
let api: LivepatchLensApi;
const refreshes: number[] = [];

const server = emulatorCommand;
const shell = async (line: string): Promise<string> => (await server('run', { line, runtime: 'linux' })).stdout;

const drawn = () => api.emulator.panel().rendered;

/** Runs a command of ours with the panel open; waits for its page to have drawn the change, and keeps how long that took. */
async function step(command: string, ...args: unknown[]): Promise<EmulatorCommandResult> {
  // A hidden panel's page is gone until it shows again (no retained context): nothing to time.
  const { result, times } = await timedStep('the panel', api.emulator.panelRefreshMs, () => api.emulator.panel().visible, command, args);
  refreshes.push(...times);
  return result;
}

const view = (id: string): ShownNode | undefined => findNode(api.emulator.view(), id);

/** `ps` rows as `comm pid`, the idle task left out as ps leaves it. */
const psTasks = (stdout: string): string[] =>
  stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, , , comm]) => `${comm} ${pid}`);

async function openC(name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(workspace(), name);
  writeFileSync(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document);
  return document;
}

const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);

suite('The emulator panel and the editor around it in a real VS Code', () => {
  suiteSetup(async () => {
    api = await runningExtension();
    await server('reset', { runtime: 'xen' });
    await server('reset', { runtime: 'linux' });
  });

  suiteTeardown(async () => {
    // The suites after this one expect the editor layout they had: the panel goes, and so do this suite's files.
    const panelTabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('livepatch.emulatorPanel'));
    await vscode.window.tabGroups.close(panelTabs);
    for (const name of ['complete.c', 'typo.c', 'livepatch-sample.c']) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path.join(workspace(), name));
      if (!document) continue;
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await server('reset', { runtime: 'xen' });
    await server('reset', { runtime: 'linux' });
    if (!refreshes.length) return;
    const sorted = [...refreshes].sort((a, b) => a - b);
    console.log(
      `    panel refresh after a session change: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length} redraws, each command 250 ms after the last (goal < 50 ms)`,
    );
  });

  test('Show Emulator Panel opens the panel; its log shows each command as it answered, with the (XEN) console lines', async () => {
    const manifest = vscode.extensions.getExtension(extensionId)!.packageJSON as { contributes: { menus: Record<string, Array<{ command: string; when: string }>> } };
    assert.ok(
      manifest.contributes.menus['view/title'].some((m) => m.command === 'livepatch.emulator.showPanel' && m.when.includes('view == livepatch.view')),
      "in the view's title bar",
    );
    await vscode.commands.executeCommand('livepatch.emulator.showPanel');
    await eventually('the panel drawn', drawn, (r) => r !== undefined);
    assert.equal(api.emulator.panel().visible, true);

    const upload = await step('livepatch.uploadPayload', vscode.Uri.file(path.join(workspace(), 'xen_hello_world.livepatch')));
    const apply = await step('livepatch.applyPayload', { name: 'xen_hello_world' });
    const rendered = await eventually(
      'the panel has both events',
      () => drawn()!,
      (r) => r.events.at(-1) === apply.commandLine,
    );
    assert.deepEqual(rendered.events.slice(-2), [upload.commandLine, apply.commandLine]);
    assert.equal(apply.commandLine, 'xen-livepatch apply xen_hello_world');
    const content = api.emulator.panel().content!;
    assert.deepEqual(content.xen!.payloads, ['xen_hello_world: APPLIED']);
    assert.deepEqual(content.xen!.applied, ['xen_hello_world']);
    const applied = content.events.at(-1)!;
    assert.ok(apply.console.length > 0);
    assert.deepEqual(
      applied.lines.filter((l) => l.kind === 'log').map((l) => l.text),
      apply.console,
    );
    assert.ok(apply.console.some((line) => line.startsWith('(XEN) ')));
  });

  test('Linux: the transition picture, a row a task as ps lists it, the blocked kworker in the old universe and the function it sleeps in', async () => {
    await step('livepatch.loadPayload', path.join(workspace(), 'sleepy-work.ko'));
    await step('livepatch.loadPayload', path.join(workspace(), 'lp-sleepy-patch.ko'));
    assert.equal(await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/transition'), '1\n');
    const ps = psTasks(await shell('ps'));
    const rendered = await eventually(
      'the transition drawn',
      () => drawn()!,
      (r) => r.transition.startsWith('Transition: lp_sleepy_patch → patched'),
    );
    const rows = rendered.taskRows.filter((row) => !row.startsWith('swapper '));
    assert.deepEqual(
      rows.map((row) => row.split(' ').slice(0, 2).join(' ')),
      ps,
    );
    const blocked = rows.filter((row) => row.endsWith('blocked in sleepy_work_fn'));
    assert.equal(blocked.length, 1, rows.join('\n'));
    assert.match(blocked[0], /^kworker\/\S+ \d+ old pending blocked in sleepy_work_fn$/);
    const pid = blocked[0].split(' ')[1];
    assert.equal(await shell(`cat /proc/${pid}/patch_state`), '0\n', 'the old universe is patch_state 0');

    await step('livepatch.forcePatch', { name: 'lp_sleepy_patch' });
    await shell('sleep 1');
    await eventually(
      'the transition gone from the panel',
      () => drawn()!.transition,
      (t) => t === 'No transition in flight',
    );
  });

  test('code lenses above a klp_func entry: "not loaded · Insmod" runs insmod, then "enabled by … · Disable" disables it', async () => {
    await server('reset', { runtime: 'linux' });
    const file = vscode.Uri.file(path.join(workspace(), 'livepatch-sample.c'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const lensesAt = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file)) ?? [];
    const line = (await vscode.workspace.openTextDocument(file))
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('.old_name = "cmdline_proc_show"'));
    const titles = (lenses: vscode.CodeLens[]) => lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title);
    const before = await eventually('the lenses', lensesAt, (lenses) => titles(lenses).includes('Insmod'));
    assert.deepEqual(titles(before), ['not loaded in the emulator', 'Insmod']);
    const insmod = before.find((l) => l.command?.title === 'Insmod')!.command!;
    await step(insmod.command, ...((insmod.arguments ?? []) as unknown[]));
    assert.equal(await shell('cat /sys/kernel/livepatch/livepatch_sample/enabled'), '1\n');
    assert.equal(view('linuxPatch/livepatch_sample')?.description, 'enabled');

    const after = await eventually('the lenses after insmod', lensesAt, (lenses) => titles(lenses).includes('Disable'));
    assert.deepEqual(titles(after), ['enabled by livepatch_sample', 'Disable']);
    const disable = after.find((l) => l.command?.title === 'Disable')!.command!;
    await step(disable.command, ...((disable.arguments ?? []) as unknown[]));
    // No task holds it: the transition ends at the next retry and the disabled patch is freed.
    await shell('sleep 1');
    assert.notEqual((await server('run', { line: 'cat /sys/kernel/livepatch/livepatch_sample/enabled', runtime: 'linux' })).exitCode, 0);
    await eventually('the lenses after the disable', lensesAt, (lenses) => titles(lenses).includes('Insmod'));
  });

  test("completion of .old_name offers the target's functions with the typed prefix, as nm lists them", async () => {
    const document = await openC('complete.c', '#include <linux/livepatch.h>\nstatic struct klp_func funcs[] = {\n\t{ .old_name = "cmdline_pr", .new_func = 0, },\n\t{ }\n};\n');
    const lineText = document.lineAt(2).text;
    const position = new vscode.Position(2, lineText.indexOf('cmdline_pr') + 'cmdline_pr'.length);
    const target = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'samples', 'build', 'target', 'sample-target');
    const nm = spawnSync('nm', [target], { encoding: 'utf8' }).stdout;
    const expected = [...new Set([...nm.matchAll(/^[0-9a-f]+ [Tt] (cmdline_pr\w*)$/gm)].map((m) => m[1]))].sort();
    assert.ok(expected.includes('cmdline_proc_show'), nm.length ? expected.join() : 'nm printed nothing');
    const list = await eventually(
      'completion items',
      async () => (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position)).items,
      (items) => items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'cmdline_proc_show'),
    );
    const labels = list.filter((i) => i.kind === vscode.CompletionItemKind.Function).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual([...new Set(labels)].sort(), expected);
  });

  test('the did-you-mean quick fix for a misspelled old_name: applying its edit leaves the right name and no LP102', async () => {
    const document = await openC('typo.c', '#include <linux/livepatch.h>\nstatic struct klp_func funcs[] = {\n\t{ .old_name = "cmdline_proc_shwo", .new_func = 0, },\n\t{ }\n};\n');
    const lp102 = (
      await eventually(
        'LP102 on the misspelled name',
        () => vscode.languages.getDiagnostics(document.uri).filter((d) => codeOf(d) === 'LP102'),
        (found) => found.length > 0,
      )
    )[0];
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, lp102.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Did you mean 'cmdline_proc_show'?");
    assert.ok(fix?.edit, actions.map((a) => a.title).join());
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.lineAt(2).text, /\.old_name = "cmdline_proc_show"/);
    await eventually(
      'LP102 gone',
      () => vscode.languages.getDiagnostics(document.uri).filter((d) => codeOf(d) === 'LP102').length,
      (n) => n === 0,
    );
  });

  test("Run Scenario runs in the view's session: the view, the panel and the next command see the session it left", async () => {
    await server('insmod', { path: path.join(workspace(), 'livepatch-sample.ko') });
    const file = path.join(workspace(), 'watch.sh');
    writeFileSync(
      file,
      '# a transition held open by a sleeping kworker\ninsmod sleepy-work.ko sleep_secs=30\ninsmod lp-sleepy-patch.ko\ncat /sys/kernel/livepatch/lp_sleepy_patch/transition\n',
    );
    const run = await vscode.commands.executeCommand<ScenarioRun>('livepatch.runScenario', vscode.Uri.file(file));
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /^\$ insmod lp-sleepy-patch\.ko$/m);
    // The scenario booted the kernel afresh: the module loaded before it is gone.
    await eventually(
      'the view on the scenario’s session',
      () => view('linuxPatch/lp_sleepy_patch')?.description,
      (d) => d === 'enabled · in transition',
    );
    assert.equal(view('linuxPatch/livepatch_sample'), undefined);
    assert.equal(await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/transition'), '1\n');
    assert.doesNotMatch(await shell('cat /proc/modules'), /^livepatch_sample /m);
    const rendered = await eventually(
      'the panel on the scenario’s session',
      () => drawn()!,
      (r) => r.transition.startsWith('Transition: lp_sleepy_patch → patched') && r.events.includes('insmod lp-sleepy-patch.ko'),
    );
    assert.ok(
      rendered.taskRows.some((row) => row.endsWith('blocked in sleepy_work_fn')),
      rendered.taskRows.join('\n'),
    );
    // The log: the reboot, then the scenario's commands in order.
    const scenarioEvents = rendered.events.slice(rendered.events.lastIndexOf('emu reset'));
    assert.deepEqual(scenarioEvents.slice(0, 4), [
      'emu reset',
      'insmod sleepy-work.ko sleep_secs=30',
      'insmod lp-sleepy-patch.ko',
      'cat /sys/kernel/livepatch/lp_sleepy_patch/transition',
    ]);
  });
});
