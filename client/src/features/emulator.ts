import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import {
  EmulatorCommand,
  EmulatorCommandArgs,
  emulatorCommands,
  EmulatorCommandResult,
  EmulatorPayloadState,
  EmulatorState,
  emulatorStateNotification,
  XenEmulatorState,
} from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { EmulatorJournal } from '../emulatorJournal';
import { linuxStateSummary } from '../linuxStateSummary';
import { requireTrust } from '../workspaceTrust';

// The emulated Xen hypervisor and Linux kernel for the user: palette commands that run the
// server's emulator commands, with their output and the machine's log ((XEN) console, kernel
// log) in the "Livepatch Emulator" channel, as a terminal running xen-livepatch or insmod and
// `xl dmesg` or `dmesg` would show them. The sessions live in the server process; the journal
// brings them back when that process dies and is restarted.

let channel: vscode.OutputChannel | undefined;
/** The server's last livepatch/emulatorState of the Xen session: what the payload pickers offer. */
let lastState: XenEmulatorState | undefined;
/** The state notification that came with the command being shown (it arrives before the answer). */
let latest: EmulatorState | undefined;
const journal = new EmulatorJournal();
/** The replay of the journal on a restarted server; every command waits for it. */
let restoring: Promise<void> = Promise.resolve();
let lastRestore: string | undefined;

const verbs = new Map(Object.entries(emulatorCommands).map(([verb, id]) => [id as string, verb as EmulatorCommand]));
/** Commands that only read the session: nothing to replay. */
const readOnly: ReadonlySet<EmulatorCommand> = new Set(['list', 'dump']);
const emulatorName = 'the emulator';

export function activate(ctx: Ctx): void {
  channel = vscode.window.createOutputChannel('Livepatch Emulator');
  ctx.extension.subscriptions.push(
    channel,
    ctx.onDidChangeState((state) => {
      // A new server is a new hypervisor: forget the old one's payloads.
      if (state === 'starting') lastState = undefined;
    }),
    ctx.onDidStartServer(({ afterCrash }) => {
      // A server the user (re)started is a fresh session; one that died gets its session back.
      if (afterCrash) restoring = restore(ctx);
      else journal.clear();
    }),
  );
  ctx.onNotification(emulatorStateNotification, (params: EmulatorState) => {
    if (params.runtime === 'xen') lastState = params;
    latest = params;
  });
  // The server's commands run from VS Code (other extensions, tests, keybindings) the same way.
  ctx.handleServerCommands(async (command, args, next) => {
    const verb = verbs.get(command);
    if (!verb) return next(command, args) as unknown;
    if (!requireTrust(emulatorName)) return undefined;
    const commandArgs = (args[0] ?? {}) as EmulatorCommandArgs;
    return recorded(verb, commandArgs, async () => (await next(command, args)) as EmulatorCommandResult | null | undefined);
  });
}

/** The line the last restore wrote to the channel (for the end-to-end tests). */
export const lastRestoreLine = (): string | undefined => lastRestore;

async function restore(ctx: Ctx): Promise<void> {
  const client = ctx.languageClient;
  if (!client) return;
  lastRestore = await journal.replay(
    async (command, args) => (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] })) as EmulatorCommandResult | null,
  );
  if (lastRestore) channel?.appendLine(lastRestore);
}

/** Runs a command once any restore is done, and journals what changed the session. */
async function recorded(verb: EmulatorCommand, args: EmulatorCommandArgs, send: () => Promise<EmulatorCommandResult | null | undefined>) {
  await restoring;
  const result = await send();
  if (result && verb === 'reset') journal.clear();
  else if (result && !readOnly.has(verb)) journal.record(emulatorCommands[verb], args, result);
  return result;
}

/** Runs one emulator command on the server and shows it; the answer, for callers and tests. */
async function execute(ctx: Ctx, verb: EmulatorCommand, args: EmulatorCommandArgs = {}): Promise<EmulatorCommandResult | undefined> {
  const client = ctx.languageClient;
  if (!client || ctx.serverState !== 'running') {
    void vscode.window.showErrorMessage('Livepatch Lens: the language server is not running; the emulator lives in it. Try "Livepatch: Restart Language Server".');
    return undefined;
  }
  const result = await recorded(
    verb,
    args,
    async () => (await client.sendRequest(ExecuteCommandRequest.type, { command: emulatorCommands[verb], arguments: [args] })) as EmulatorCommandResult | null,
  );
  if (!result) {
    void vscode.window.showErrorMessage(`Livepatch Lens: ${emulatorCommands[verb]} failed; see the Livepatch Lens output.`);
    return undefined;
  }
  show(result);
  if (result.exitCode !== 0) void vscode.window.showWarningMessage(`${result.commandLine}: exit status ${result.exitCode}. ${result.stderr.split('\n')[0]}`);
  return result;
}

function show(result: EmulatorCommandResult): void {
  if (!channel) return;
  channel.appendLine(`$ ${result.commandLine}`);
  for (const text of [result.stdout, result.stderr, result.console.join('\n')]) if (text) channel.appendLine(text.replace(/\n$/, ''));
  if (latest?.runtime === 'linux') for (const line of linuxStateSummary(latest)) channel.appendLine(line);
  if (result.exitCode !== 0) channel.appendLine(`(exit status ${result.exitCode})`);
  channel.show(true);
}

/** Xen payloads and Linux livepatch modules: what `load` and `insmod` take. */
const payloadExtensions = ['.livepatch', '.ko'];

/** The payload or module of the active editor tab (text or inspector), else one picked from disk. */
async function payloadFile(): Promise<vscode.Uri | undefined> {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  if (active && payloadExtensions.some((ext) => active.fsPath.endsWith(ext))) return active;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Load',
    filters: { 'Xen payloads': ['livepatch'], 'Linux livepatch modules': ['ko'], 'All files': ['*'] },
  });
  return picked?.[0];
}

/** A payload by name from the last state, among those the action applies to. */
async function pickPayload(ctx: Ctx, verb: string, fits: (p: EmulatorPayloadState, state: XenEmulatorState) => boolean): Promise<string | undefined> {
  if (!lastState) await execute(ctx, 'list');
  const state = lastState;
  const payloads = state ? state.payloads.filter((p) => fits(p, state)) : [];
  if (!payloads.length) {
    void vscode.window.showInformationMessage(`Livepatch Lens: the emulator has no payload to ${verb}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    payloads.map((p) => ({ label: p.name, description: p.state, detail: p.funcs.map((f) => f.name).join(', ') })),
    { placeHolder: `Payload to ${verb}` },
  );
  return picked?.label;
}

const checked = (p: EmulatorPayloadState): boolean => p.state === 'CHECKED';

/** A command's optional argument object, as code lenses pass it: `{ name }`, `{ path }`, `{ line, runtime }`. */
const argument = (arg: unknown, key: 'name' | 'path' | 'line' | 'runtime'): string | undefined => {
  const value = typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value ? value : undefined;
};

function onPayload(verb: 'apply' | 'revert' | 'replace' | 'unload', fits: (p: EmulatorPayloadState, state: XenEmulatorState) => boolean) {
  return async (ctx: Ctx, arg?: unknown): Promise<EmulatorCommandResult | undefined> => {
    const name = argument(arg, 'name') ?? (await pickPayload(ctx, verb, fits));
    return name ? execute(ctx, verb, { name }) : undefined;
  };
}

const callSyntax = /^\S+(\s+(-?(0x[0-9a-f]+|\d+)|str:\S*))*$/i;

async function callFunction(ctx: Ctx): Promise<EmulatorCommandResult | undefined> {
  const input = await vscode.window.showInputBox({
    title: 'Call a function in the emulator',
    prompt: 'FUNCTION [ARGS...]: integers (decimal, 0x hex, negative) or str:TEXT for a pointer to a guest string',
    placeHolder: 'xen_extra_version',
    validateInput: (text) => (callSyntax.test(text.trim()) ? undefined : 'a function name, then integers or str:TEXT'),
  });
  if (!input) return undefined;
  const [fn, ...args] = input.trim().split(/\s+/);
  const result = await execute(ctx, 'call', { function: fn, args });
  const call = result?.call;
  if (call?.status === 'returned') void vscode.window.showInformationMessage(`${fn}() = ${call.rax}${call.string !== null ? ` -> "${call.string}"` : ''}`);
  return result;
}

/** One line of the scenario language (docs/scenario.md) on the session its runtime says: `echo 0 > /sys/kernel/livepatch/p/enabled`. */
async function runScenarioLine(ctx: Ctx, arg?: unknown): Promise<EmulatorCommandResult | undefined> {
  const given = argument(arg, 'line');
  const runtime = argument(arg, 'runtime');
  if (given) return execute(ctx, 'run', { line: given, ...(runtime === 'linux' || runtime === 'xen' ? { runtime } : {}) });
  const line = await vscode.window.showInputBox({
    title: 'Run a scenario command in the emulator',
    prompt: 'As typed at the machine: xen-livepatch list, insmod m.ko, echo 0 > /sys/kernel/livepatch/m/enabled, cat PATH, ps, call FUNCTION ...',
    placeHolder: 'xen-livepatch list',
    validateInput: (text) => (text.trim() ? undefined : 'a command'),
  });
  return line ? execute(ctx, 'run', { line: line.trim() }) : undefined;
}

const paletteCommands: Record<string, (ctx: Ctx, arg?: unknown) => unknown> = {
  // A kernel module is insmod-ed into the emulated kernel, a payload loaded into the hypervisor.
  'livepatch.loadPayload': async (ctx: Ctx, arg?: unknown) => {
    const path = argument(arg, 'path') ?? (await payloadFile())?.fsPath;
    if (!path) return undefined;
    return path.endsWith('.ko') ? execute(ctx, 'insmod', { path }) : execute(ctx, 'load', { path });
  },
  'livepatch.applyPayload': onPayload('apply', checked),
  // Only the top of the build-id stack can be reverted (Xen says EBUSY otherwise).
  'livepatch.revertPayload': onPayload('revert', (p, state) => state.appliedStack.at(-1) === p.name),
  'livepatch.replacePayloads': onPayload('replace', checked),
  'livepatch.unloadPayload': onPayload('unload', checked),
  'livepatch.listPayloads': (ctx: Ctx) => execute(ctx, 'list'),
  'livepatch.callFunction': callFunction,
  'livepatch.dumpPayloads': (ctx: Ctx) => execute(ctx, 'dump'),
  'livepatch.resetEmulator': (ctx: Ctx) => execute(ctx, 'reset'),
  'livepatch.runScenarioLine': runScenarioLine,
};

/** The emulator's palette commands, for the one command table (commands.ts); none runs in an untrusted workspace. */
export const emulatorCommandTable: Record<string, (ctx: Ctx, arg?: unknown) => unknown> = Object.fromEntries(
  Object.entries(paletteCommands).map(([id, run]) => [id, (ctx: Ctx, arg?: unknown) => (requireTrust(emulatorName) ? run(ctx, arg) : undefined)]),
);
