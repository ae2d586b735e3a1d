import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmulatorCommandResult } from '../../../../server/src/protocol';
import type { Ctx } from '../../ctx';
import { requireTrust } from '../../workspaceTrust';
import { LinuxVerb, linuxNamesFor, XenVerb, xenPayloadsFor } from './actions';
import type { EmulatorModel } from './model';
import type { EmulatorRunner } from './runner';

/** What the emulator's commands work on. */
export interface EmulatorFeature {
  model: EmulatorModel;
  runner: EmulatorRunner;
  panel: { show(): void };
}

type Command = (feature: EmulatorFeature, ...args: unknown[]) => unknown;

/** A payload, patch or module name: a view node or `{ name }` (menus, code lenses, tests), or the name itself. */
function nameArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const name = (arg as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : undefined;
}

/** A file: the explorer's Uri, a path, or `{ path }`. */
function fileArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  const file = (arg as { path?: unknown } | undefined)?.path;
  return typeof file === 'string' && file ? vscode.Uri.file(file) : undefined;
}

/** Xen payloads and Linux livepatch modules: what `upload`/`load` and `insmod` take. */
const payloadExtensions = ['.livepatch', '.ko'];

/** The payload or module of the active editor tab (text or inspector), else one picked from disk. */
async function payloadFile(openLabel: string): Promise<vscode.Uri | undefined> {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  if (active && payloadExtensions.some((ext) => active.fsPath.endsWith(ext))) return active;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel,
    filters: { 'Xen payloads': ['livepatch'], 'Linux livepatch modules': ['ko'], 'All files': ['*'] },
  });
  return picked?.[0];
}

/** xen-livepatch's own default: the file's name without `.livepatch`. */
const payloadName = (file: vscode.Uri): string => path.basename(file.fsPath).replace(/\.livepatch$/, '');

/** Upload without applying (Xen); a `.ko` has no such step: insmod loads and enables it. */
async function upload(feature: EmulatorFeature, arg?: unknown): Promise<EmulatorCommandResult | undefined> {
  const file = fileArg(arg) ?? (await payloadFile('Upload'));
  if (!file) return undefined;
  if (file.fsPath.endsWith('.ko')) return feature.runner.execute('insmod', { path: file.fsPath });
  return feature.runner.execute('upload', { name: nameArg((arg as { name?: unknown } | undefined)?.name) ?? payloadName(file), path: file.fsPath });
}

const whyNone: Record<XenVerb, string> = {
  apply: 'no uploaded payload is CHECKED',
  revert: 'only the top of the applied stack can be reverted, and nothing is applied',
  replace: 'no uploaded payload is CHECKED; upload the replacement first',
  unload: 'only a CHECKED payload can be unloaded (revert it first)',
};

const uploadReplacement = '$(cloud-upload) Upload a replacement...';

/** A payload the verb can act on now; Replace also offers to upload the replacement first. */
async function pickXen(feature: EmulatorFeature, verb: XenVerb): Promise<string | undefined> {
  if (!feature.model.xen) await feature.runner.execute('list');
  const payloads = xenPayloadsFor(verb, feature.model.xen);
  if (!payloads.length && verb !== 'replace') {
    void vscode.window.showInformationMessage(`Livepatch Lens: no payload to ${verb}: ${whyNone[verb]}.`);
    return undefined;
  }
  const items = payloads.map((p) => ({ label: p.name, description: p.state, detail: p.funcs.map((f) => f.name).join(', ') }));
  const picked = await vscode.window.showQuickPick(
    verb === 'replace' ? [...items, { label: uploadReplacement, description: '', detail: 'then replace every applied payload with it' }] : items,
    {
      placeHolder: `Payload to ${verb}`,
    },
  );
  if (picked?.label !== uploadReplacement) return picked?.label;
  const uploaded = await upload(feature);
  return uploaded?.exitCode === 0 ? feature.model.xen?.payloads.at(-1)?.name : undefined;
}

function onPayload(verb: XenVerb): Command {
  return async (feature, arg) => {
    const name = nameArg(arg) ?? (await pickXen(feature, verb));
    return name ? feature.runner.execute(verb, { name }) : undefined;
  };
}

async function pickLinux(feature: EmulatorFeature, verb: LinuxVerb): Promise<string | undefined> {
  const names = linuxNamesFor(verb, feature.model.linux);
  if (!names.length) {
    void vscode.window.showInformationMessage(`Livepatch Lens: no ${verb === 'rmmod' ? 'module to remove' : `livepatch to ${verb}`} in the emulated kernel now.`);
    return undefined;
  }
  return vscode.window.showQuickPick(names, { placeHolder: verb === 'rmmod' ? 'Module to remove' : `Livepatch to ${verb}` });
}

/** The sysfs writes of the livepatch core, as a user types them. */
const sysfsLine: Record<Exclude<LinuxVerb, 'rmmod'>, (name: string) => string> = {
  enable: (name) => `echo 1 > /sys/kernel/livepatch/${name}/enabled`,
  disable: (name) => `echo 0 > /sys/kernel/livepatch/${name}/enabled`,
  force: (name) => `echo 1 > /sys/kernel/livepatch/${name}/force`,
};

function onLinux(verb: LinuxVerb): Command {
  return async (feature, arg) => {
    const name = nameArg(arg) ?? (await pickLinux(feature, verb));
    if (!name) return undefined;
    return verb === 'rmmod' ? feature.runner.execute('rmmod', { name }) : feature.runner.execute('run', { line: sysfsLine[verb](name), runtime: 'linux' });
  };
}

const callSyntax = /^\S+(\s+(-?(0x[0-9a-f]+|\d+)|str:\S*))*$/i;

async function callFunction(feature: EmulatorFeature): Promise<EmulatorCommandResult | undefined> {
  const input = await vscode.window.showInputBox({
    title: 'Call a function in the emulator',
    prompt: 'FUNCTION [ARGS...]: integers (decimal, 0x hex, negative) or str:TEXT for a pointer to a guest string',
    placeHolder: 'xen_extra_version',
    validateInput: (text) => (callSyntax.test(text.trim()) ? undefined : 'a function name, then integers or str:TEXT'),
  });
  if (!input) return undefined;
  const [fn, ...args] = input.trim().split(/\s+/);
  const result = await feature.runner.execute('call', { function: fn, args });
  const call = result?.call;
  if (call?.status === 'returned') void vscode.window.showInformationMessage(`${fn}() = ${call.rax}${call.string !== null ? ` -> "${call.string}"` : ''}`);
  return result;
}

/** One line of the scenario language (docs/scenario.md) on the session its runtime says: `echo 0 > /sys/kernel/livepatch/p/enabled`. */
async function runScenarioLine(feature: EmulatorFeature): Promise<EmulatorCommandResult | undefined> {
  const line = await vscode.window.showInputBox({
    title: 'Run a scenario command in the emulator',
    prompt: 'As typed at the machine: xen-livepatch list, insmod m.ko, echo 0 > /sys/kernel/livepatch/m/enabled, cat PATH, ps, call FUNCTION ...',
    placeHolder: 'xen-livepatch list',
    validateInput: (text) => (text.trim() ? undefined : 'a command'),
  });
  return line ? feature.runner.execute('run', { line: line.trim() }) : undefined;
}

/** Reset the session a view node belongs to (or `{ runtime }`), else the one used last. */
const reset: Command = (feature, arg) => {
  const { contextValue, runtime } = (arg ?? {}) as { contextValue?: unknown; runtime?: unknown };
  const of = (value: unknown) => (typeof value === 'string' ? (['xen', 'linux'] as const).find((r) => value.startsWith(r)) : undefined);
  const which = of(runtime) ?? of(contextValue);
  return feature.runner.execute('reset', which ? { runtime: which } : {});
};

const commands: Record<string, Command> = {
  // A kernel module is insmod-ed into the emulated kernel, a payload uploaded and applied in the hypervisor.
  'livepatch.loadPayload': async (feature, arg) => {
    const file = fileArg(arg) ?? (await payloadFile('Load'));
    if (!file) return undefined;
    return file.fsPath.endsWith('.ko') ? feature.runner.execute('insmod', { path: file.fsPath }) : feature.runner.execute('load', { path: file.fsPath });
  },
  'livepatch.uploadPayload': upload,
  'livepatch.applyPayload': onPayload('apply'),
  'livepatch.revertPayload': onPayload('revert'),
  'livepatch.replacePayloads': onPayload('replace'),
  'livepatch.unloadPayload': onPayload('unload'),
  'livepatch.enablePatch': onLinux('enable'),
  'livepatch.disablePatch': onLinux('disable'),
  'livepatch.forcePatch': onLinux('force'),
  'livepatch.removeModule': onLinux('rmmod'),
  'livepatch.listPayloads': (feature) => feature.runner.execute('list'),
  'livepatch.callFunction': callFunction,
  'livepatch.dumpPayloads': (feature) => feature.runner.execute('dump'),
  'livepatch.resetEmulator': reset,
  'livepatch.runScenarioLine': runScenarioLine,
  'livepatch.emulator.showPanel': (feature) => feature.panel.show(),
};

export const emulatorName = 'the emulator';

/** The emulator's commands for the one command table (commands.ts); none runs in an untrusted workspace. */
export function emulatorCommandTable(feature: () => EmulatorFeature | undefined): Record<string, (ctx: Ctx, ...args: unknown[]) => unknown> {
  return Object.fromEntries(
    Object.entries(commands).map(([id, run]) => [
      id,
      (_ctx: Ctx, ...args: unknown[]) => {
        const current = feature();
        return current && requireTrust(emulatorName) ? run(current, ...args) : undefined;
      },
    ]),
  );
}
