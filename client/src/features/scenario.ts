import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { requireTrust } from '../workspaceTrust';
import { runScenarioInSession } from './emulator';

export const scenarioLanguage = 'livepatch-scenario';

/** What Run Scenario ran and said: the scenario's exit status and its transcript, as the output channel shows it. */
export interface ScenarioRun {
  file: string;
  exitCode: number | null;
  output: string;
}

let channel: vscode.OutputChannel | undefined;

/** The file a command was given (a lens's or a menu's URI), else the active scenario editor's. */
function scenarioFile(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.file(arg);
  const active = vscode.window.activeTextEditor?.document;
  return active?.languageId === scenarioLanguage ? active.uri : undefined;
}

/**
 * Livepatch: Run Scenario: the whole file in the emulator session the Livepatch view and the
 * panel show, as `livepatch-lens emu --echo --script` runs it (a fresh boot of the script's
 * runtime, paths relative to the script), so the editor and the CLI give the same transcript and
 * the view is left on the session the scenario made. A saved file is what runs.
 */
export async function runScenario(ctx: Ctx, arg?: unknown): Promise<ScenarioRun | undefined> {
  const file = scenarioFile(arg);
  if (!file) {
    void vscode.window.showWarningMessage('Livepatch: open a scenario (.xlp, or a Linux scenario .sh) to run it.');
    return undefined;
  }
  if (!requireTrust('running a scenario in the emulator')) return undefined;
  await vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString() && d.isDirty)?.save();
  if (!channel) {
    channel = vscode.window.createOutputChannel('Livepatch Scenario');
    ctx.extension.subscriptions.push(channel);
  }
  const out = channel;
  out.clear();
  out.show(true);
  out.appendLine(`# ${vscode.workspace.asRelativePath(file)}`);
  const result = await runScenarioInSession(file.fsPath);
  if (!result) return undefined;
  out.append(result.transcript);
  out.appendLine(`# exit status ${result.exitCode}`);
  return { file: file.fsPath, exitCode: result.exitCode, output: result.transcript };
}

/** The real-machine runner (QEMU) runs the active editor's scenario, so its lens needs no argument. */
const realMachineCommand = 'livepatch.runScenarioOnRealMachine';

/** "▶ Run in the emulator" above the first line of every scenario file, and "Run on a real machine" where that runner is built in. */
class ScenarioLenses implements vscode.CodeLensProvider {
  constructor(private readonly realMachine: boolean) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '$(play) Run in the emulator', command: 'livepatch.runScenario', arguments: [document.uri] })];
    if (this.realMachine) lenses.push(new vscode.CodeLens(top, { title: '$(vm) Run on a real machine', command: realMachineCommand }));
    return lenses;
  }
}

export function activate(ctx: Ctx): void {
  const manifest = ctx.extension.extension.packageJSON as { contributes?: { commands?: Array<{ command: string }> } };
  const realMachine = manifest.contributes?.commands?.some((c) => c.command === realMachineCommand) ?? false;
  ctx.extension.subscriptions.push(vscode.languages.registerCodeLensProvider({ language: scenarioLanguage }, new ScenarioLenses(realMachine)));
}
