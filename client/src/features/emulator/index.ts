import * as vscode from 'vscode';
import { EmulatorCommandArgs, EmulatorCommandResult, EmulatorScenarioResult, emulatorVerbOf, EmulatorState, emulatorStateNotification } from '../../../../server/src/protocol';
import type { Ctx } from '../../ctx';
import { requireTrust } from '../../workspaceTrust';
import { contextKeys } from './actions';
import { EmulatorFeature, emulatorCommandTable as commandTable, emulatorName } from './commands';
import { EmulatorModel } from './model';
import { EmulatorPanel } from './panel';
import type { PanelAction } from './panelMessages';
import { EmulatorRunner } from './runner';
import { LivepatchTree, ShownNode } from './tree';
import type { ViewNode } from './viewNodes';

// The emulated Xen hypervisor and Linux kernel for the user: the model of both sessions (fed by
// the server's notifications), the Livepatch view and the emulator panel over it, the context
// keys saying which verbs can run now, and the commands (commands.ts).

let feature: (EmulatorFeature & { tree: LivepatchTree; view: vscode.TreeView<unknown>; panel: EmulatorPanel; keys: Record<string, boolean | string> }) | undefined;

/** The panel's buttons run the same commands as the view's items. */
const panelAction = (action: PanelAction) =>
  action.action === 'force'
    ? vscode.commands.executeCommand('livepatch.forcePatch', { name: action.patch })
    : vscode.commands.executeCommand('livepatch.resetEmulator', { runtime: action.runtime });

export const emulatorCommandTable = commandTable(() => feature);

export function activate(ctx: Ctx): void {
  const model = new EmulatorModel();
  const runner = new EmulatorRunner(ctx, model);
  const tree = new LivepatchTree(model);
  const view = vscode.window.createTreeView('livepatch.view', { treeDataProvider: tree, showCollapseAll: true });
  const panel = new EmulatorPanel(ctx.extension.extensionUri, model, panelAction);
  let keys: Record<string, boolean | string> = {};
  const setKeys = () => {
    keys = contextKeys(model);
    if (feature) feature.keys = keys;
    for (const [key, value] of Object.entries(keys)) void vscode.commands.executeCommand('setContext', key, value);
  };
  feature = { model, runner, tree, view, panel, keys };
  setKeys();
  ctx.extension.subscriptions.push(
    tree,
    view,
    panel,
    model.onDidChange(() => {
      tree.rebuild();
      setKeys();
    }),
    // A new server is a new hypervisor and kernel: forget the old one's payloads.
    ctx.onDidChangeState((state) => state === 'starting' && model.forgetSessions()),
    ctx.onDidChangeTarget((target) => model.setTarget(target)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      tree.rebuild();
      panel.refresh();
    }),
  );
  model.setTarget(ctx.targetState);
  ctx.onNotification(emulatorStateNotification, (params: EmulatorState) => model.update(params));
  // The server's commands run from VS Code (other extensions, tests, keybindings) the same way.
  ctx.handleServerCommands(async (command, args, next) => {
    const verb = emulatorVerbOf.get(command);
    if (!verb) return next(command, args) as unknown;
    if (!requireTrust(emulatorName)) return undefined;
    const commandArgs = (args[0] ?? {}) as EmulatorCommandArgs;
    return runner.recorded(verb, commandArgs, async () => (await next(command, args)) as EmulatorCommandResult | null | undefined);
  });
}

/** Runs a scenario file in the session the view shows (Run Scenario); undefined when the server is not running. */
export async function runScenarioInSession(file: string): Promise<EmulatorScenarioResult | undefined> {
  return (await feature?.runner.execute('scenario', { path: file }, { show: false })) as EmulatorScenarioResult | undefined;
}

/** What the end-to-end tests read of the feature. */
export type EmulatorProbe = typeof emulatorProbe;
export const emulatorProbe = {
  /** The line the last restore of the session after a server crash wrote. */
  lastRestore: (): string | undefined => feature?.runner.lastRestore,
  /** The Livepatch view's tree, read through its provider. */
  view: (): ShownNode[] => feature?.tree.snapshot() ?? [],
  viewVisible: (): boolean => feature?.view.visible ?? false,
  /** The view's element with this id, as VS Code passes it to an item's command. */
  viewElement: (id: string): ViewNode | undefined => feature?.tree.element(id),
  /** Milliseconds from each session change to VS Code reading the refreshed tree. */
  viewRefreshMs: (): number[] => [...(feature?.tree.refreshMs ?? [])],
  contextKeys: (): Record<string, boolean | string> => ({ ...(feature?.keys ?? {}) }),
  /** The emulator panel: whether it shows, the content last posted to its page, what the page said it drew. */
  panel: () => ({ visible: feature?.panel.visible ?? false, content: feature?.panel.content, rendered: feature?.panel.rendered }),
  /** Milliseconds from each session change to the panel's page having drawn it. */
  panelRefreshMs: (): number[] => [...(feature?.panel.refreshMs ?? [])],
};
