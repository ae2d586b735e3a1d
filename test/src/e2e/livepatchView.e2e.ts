import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LivepatchLensApi } from '../../../client/out/extension';
import type { ShownNode } from '../../../client/out/features/emulator/tree';
import type { EmulatorCommandResult } from '../../../server/src/protocol';
import { fromRoot } from '../support/paths';
import { eventually, runningExtension, workspace } from './poll';
import { emulatorCommand, findNode, timedStep } from './sessionSteps';

// The Livepatch view and the commands that match the runtimes' verbs, in a real VS Code: the
// Xen demo (upload, apply, upload the replacement, replace, revert, unload) and the klp sample
// run from the commands (with the view's own elements as their arguments), and at each step the
// tree must say what the machine says (`xen-livepatch list`, sysfs, /proc/modules).

const extensionId = 'livepatch-lens.livepatch-lens';
const hello = /return "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'payloads/xen/xen_hello_world_func.c'), 'utf8'))![1];
const replaced = /return "([^"]*)";/.exec(readFileSync(fromRoot('samples', 'payloads/xen/xen_replace_world_func.c'), 'utf8'))![1];

let api: LivepatchLensApi;
const refreshes: number[] = [];

const server = emulatorCommand;
const shell = async (line: string): Promise<string> => (await server('run', { line, runtime: 'linux' })).stdout.trim();

/** Runs a command of ours; waits for the visible view to be read again and keeps how long that took. */
async function step(command: string, arg?: unknown): Promise<EmulatorCommandResult> {
  const { result, times } = await timedStep('the view', api.emulator.viewRefreshMs, () => true, command, [arg]);
  refreshes.push(times.at(-1)!);
  return result;
}

const view = (id: string): ShownNode | undefined => findNode(api.emulator.view(), id);
const element = (id: string): unknown => {
  const found = api.emulator.viewElement(id);
  assert.ok(found, `${id} in the view`);
  return found;
};

/** The payload rows of the view, as [name, state] for comparing with `xen-livepatch list`. */
const xenRows = (): Array<[string, string]> =>
  (view('xenSession')?.children ?? []).filter((n) => n.contextValue.startsWith('xenPayload')).map((n) => [n.label, n.description.split(' · ')[0]]);
const listRows = async (): Promise<Array<[string, string]>> => [...(await server('list')).stdout.matchAll(/^(\S+)\s+\| (CHECKED|APPLIED)\s/gm)].map((m) => [m[1], m[2]]);

async function extraVersion(): Promise<string | null | undefined> {
  return (await server('call', { function: 'xen_extra_version' })).call?.string;
}

suite('The Livepatch view in a real VS Code', () => {
  suiteSetup(async () => {
    api = await runningExtension();
    await vscode.commands.executeCommand('livepatch.openView');
    await eventually(
      'the view visible',
      () => api.emulator.viewVisible(),
      (visible) => visible,
    );
    await server('reset', { runtime: 'xen' });
    await server('reset', { runtime: 'linux' });
  });

  suiteTeardown(() => {
    if (!refreshes.length) return;
    const sorted = [...refreshes].sort((a, b) => a - b);
    console.log(
      `    view refresh after a session change: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length} changes, each 250 ms after the last (goal < 50 ms)`,
    );
    console.log(`    activation: ${api.activationMs.toFixed(1)} ms before the server starts (goal < 50 ms)`);
  });

  test('the target: name, flavour and build-id of the bundled sample; clicking it runs Select Target', () => {
    const target = view('target')!;
    assert.equal(target.label, 'Target: sample-target');
    assert.match(target.description, /^either · build-id [0-9a-f]{40}$/);
    assert.equal((api.emulator.viewElement('target') as { command?: { command: string } }).command?.command, 'livepatch.selectTarget');
  });

  test('the Xen demo: upload, apply, upload the replacement, replace, revert, unload; the tree and the context keys follow each step', async () => {
    const keys = () => api.emulator.contextKeys();
    assert.equal(await vscode.commands.executeCommand('livepatch.revertPayload'), undefined, 'nothing to revert: no picker, a message');

    const uploaded = await step('livepatch.uploadPayload', vscode.Uri.file(path.join(workspace(), 'xen_hello_world.livepatch')));
    assert.match(uploaded.stdout, /^Uploading .*xen_hello_world\.livepatch\.\.\. completed\n$/);
    assert.deepEqual(xenRows(), await listRows());
    assert.deepEqual(xenRows(), [['xen_hello_world', 'CHECKED']]);
    assert.equal(view('xenPayload/xen_hello_world')!.contextValue, 'xenPayload:apply:replace:unload');
    assert.deepEqual([keys()['livepatch.emulator.canApply'], keys()['livepatch.emulator.canRevert'], keys()['livepatch.emulator.runtime']], [true, false, 'xen']);

    await step('livepatch.applyPayload', element('xenPayload/xen_hello_world'));
    assert.deepEqual(xenRows(), await listRows());
    assert.deepEqual(xenRows(), [['xen_hello_world', 'APPLIED']]);
    assert.equal(await extraVersion(), hello);
    assert.match(view('xenPayload/xen_hello_world/xen_extra_version')!.description, /^applied · 0x[0-9a-f]+ → 0x[0-9a-f]+$/);
    const chain = view('buildIdChain')!.children.map((n) => [n.label, n.description]);
    assert.equal(chain.length, 2);
    assert.equal(chain[1][0], 'xen_hello_world');
    assert.deepEqual([keys()['livepatch.emulator.canRevert'], keys()['livepatch.emulator.canApply']], [true, false]);

    await step('livepatch.uploadPayload', vscode.Uri.file(path.join(workspace(), 'xen_replace_world.livepatch')));
    assert.deepEqual(xenRows(), await listRows());
    assert.equal(keys()['livepatch.emulator.canReplace'], true);

    await step('livepatch.replacePayloads', element('xenPayload/xen_replace_world'));
    assert.deepEqual(xenRows(), await listRows());
    assert.deepEqual(xenRows(), [
      ['xen_hello_world', 'CHECKED'],
      ['xen_replace_world', 'APPLIED'],
    ]);
    assert.equal(await extraVersion(), replaced);

    // From the palette: the picker offers only the top of the applied stack; accept its first item.
    const reverting = vscode.commands.executeCommand<EmulatorCommandResult>('livepatch.revertPayload');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const reverted = await reverting;
    assert.equal(reverted?.stdout, 'Reverting xen_replace_world... completed\n');
    assert.deepEqual(xenRows(), await listRows());
    assert.equal(view('xenPayload/xen_replace_world')!.contextValue, 'xenPayload:apply:replace:unload');

    await step('livepatch.unloadPayload', element('xenPayload/xen_replace_world'));
    assert.deepEqual(xenRows(), await listRows());
    assert.deepEqual(xenRows(), [['xen_hello_world', 'CHECKED']]);
    await step('livepatch.unloadPayload', { name: 'xen_hello_world' });
    assert.deepEqual(await listRows(), []);
    assert.equal(view('xen/empty')?.label, 'No payload uploaded');
    assert.deepEqual([keys()['livepatch.emulator.canApply'], keys()['livepatch.emulator.canUnload']], [false, false]);
  });

  test('the klp sample and a blocked transition: enable, disable, force and rmmod from the view, as sysfs and /proc/modules say', async () => {
    const keys = () => api.emulator.contextKeys();
    await step('livepatch.loadPayload', vscode.Uri.file(path.join(workspace(), 'livepatch-sample.ko')));
    assert.equal(await shell('cat /sys/kernel/livepatch/livepatch_sample/enabled'), '1');
    assert.equal(view('linuxPatch/livepatch_sample')!.description, 'enabled');
    assert.match(view('linuxPatch/livepatch_sample/vmlinux/cmdline_proc_show')!.description, /^patched · → 0x[0-9a-f]+$/);
    assert.equal(keys()['livepatch.emulator.runtime'], 'linux');
    assert.equal(view('linuxModule/livepatch_sample')!.contextValue, 'linuxModule', 'held by its enabled patch: no rmmod');

    await step('livepatch.disablePatch', element('linuxPatch/livepatch_sample'));
    await shell('sleep 1');
    assert.equal(view('linuxPatch/livepatch_sample'), undefined, 'disabled and freed');
    assert.match(await shell('cat /proc/modules'), /^livepatch_sample \d+ 0 /m);
    assert.equal(view('linuxModule/livepatch_sample')!.contextValue, 'linuxModule:rmmod');
    assert.equal(keys()['livepatch.emulator.canRmmod'], true);
    await step('livepatch.removeModule', element('linuxModule/livepatch_sample'));
    assert.doesNotMatch(await shell('cat /proc/modules'), /^livepatch_sample /m);
    assert.equal(view('linuxModule/livepatch_sample'), undefined);

    // A kworker asleep in the function being patched keeps the transition open.
    await step('livepatch.loadPayload', path.join(workspace(), 'sleepy-work.ko'));
    await step('livepatch.loadPayload', path.join(workspace(), 'lp-sleepy-patch.ko'));
    assert.equal(await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/transition'), '1');
    assert.equal(view('linuxPatch/lp_sleepy_patch')!.description, 'enabled · in transition');
    const blocked = view('linux/tasks')!.children.filter((t) => /blocked in sleepy_work_fn$/.test(t.description));
    assert.equal(blocked.length, 1, JSON.stringify(view('linux/tasks')));
    assert.match(blocked[0].label, /^kworker\//);
    assert.equal(keys()['livepatch.emulator.canForce'], true);

    await step('livepatch.disablePatch', element('linuxPatch/lp_sleepy_patch'));
    assert.equal(view('linuxPatch/lp_sleepy_patch')!.description, 'disabled · in transition');
    assert.equal(keys()['livepatch.emulator.canEnable'], true);
    await step('livepatch.enablePatch', element('linuxPatch/lp_sleepy_patch'));
    assert.equal(await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/enabled'), '1');
    await step('livepatch.forcePatch', element('linuxPatch/lp_sleepy_patch'));
    await shell('sleep 1');
    assert.equal(await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/transition'), '0');
    assert.equal(view('linuxPatch/lp_sleepy_patch')!.description, 'enabled · forced');
    assert.equal(keys()['livepatch.emulator.canForce'], false);
    await step('livepatch.resetEmulator', { runtime: 'linux' });
    assert.equal(view('linux/empty')?.label, 'No livepatch module loaded');
  });

  test('the status bar opens a menu; its last entry opens the Livepatch view', async () => {
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await eventually(
      'the view hidden',
      () => api.emulator.viewVisible(),
      (visible) => !visible,
    );
    const menu = vscode.commands.executeCommand('livepatch.statusMenu');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await menu;
    await eventually(
      'the view visible from the menu',
      () => api.emulator.viewVisible(),
      (visible) => visible,
    );
    assert.equal(api.statusBar().command, 'livepatch.showOutput');
  });

  test('Select Target writes livepatch.target, the server restarts on it and the view names it; selecting the sample again undoes it', async () => {
    const bundled = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'samples', 'build', 'target', 'sample-target');
    const mine = path.join(workspace(), 'my-xen-syms');
    copyFileSync(bundled, mine);
    assert.equal(await vscode.commands.executeCommand('livepatch.selectTarget', mine), mine);
    assert.equal(vscode.workspace.getConfiguration('livepatch').inspect('target')?.globalValue, mine);
    await eventually(
      'the view on the new target',
      () => view('target'),
      (t) => t?.label === 'Target: my-xen-syms' && /build-id [0-9a-f]{40}$/.test(t.description),
    );
    await eventually(
      'the status bar on the new target',
      () => api.statusBar().text,
      (text) => text === '$(check) Livepatch: my-xen-syms',
    );
    assert.equal(await vscode.commands.executeCommand('livepatch.selectTarget', ''), '');
    await eventually(
      'back on the bundled sample',
      () => api.statusBar().text,
      (text) => text === '$(check) Livepatch: sample-target (sample)',
    );
  });
});
