import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { EmulatorCommand, EmulatorCommandArgs, emulatorCommands, EmulatorCommandResult, EmulatorScenarioResult } from '../../../../server/src/protocol';
import type { Ctx } from '../../ctx';
import { EmulatorJournal } from '../../emulatorJournal';
import { linuxStateSummary } from '../../linuxStateSummary';
import type { EmulatorModel } from './model';

/** Commands that only read the session: nothing to replay. */
const readOnly: ReadonlySet<EmulatorCommand> = new Set(['list', 'dump']);

/**
 * Runs the server's emulator commands and shows them in the "Livepatch Emulator" channel, with
 * the machine's log ((XEN) console, kernel log), as a terminal running xen-livepatch or insmod
 * and `xl dmesg` or `dmesg` would. The sessions live in the server process; the journal brings
 * them back when that process dies and is restarted.
 */
export class EmulatorRunner {
  readonly channel: vscode.OutputChannel;
  private readonly journal = new EmulatorJournal();
  /** The replay of the journal on a restarted server; every command waits for it. */
  private restoring: Promise<void> = Promise.resolve();
  /** What the last restore wrote to the channel (for the end-to-end tests). */
  lastRestore: string | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly model: EmulatorModel,
  ) {
    this.channel = vscode.window.createOutputChannel('Livepatch Emulator');
    ctx.extension.subscriptions.push(
      this.channel,
      ctx.onDidStartServer(({ afterCrash }) => {
        // A server the user (re)started is a fresh session; one that died gets its session back.
        if (afterCrash) this.restoring = this.restore();
        else this.journal.clear();
      }),
    );
  }

  private async restore(): Promise<void> {
    const client = this.ctx.languageClient;
    if (!client) return;
    this.lastRestore = await this.journal.replay(
      async (command, args) => (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] })) as EmulatorCommandResult | null,
    );
    if (this.lastRestore) this.channel.appendLine(this.lastRestore);
  }

  /** Runs a command once any restore is done, and journals what changed the session. */
  async recorded(verb: EmulatorCommand, args: EmulatorCommandArgs, send: () => Promise<EmulatorCommandResult | null | undefined>) {
    await this.restoring;
    const result = await send();
    // A scenario's log is its commands', each on its own, the reboot first.
    const steps = verb === 'scenario' ? (result as EmulatorScenarioResult | null | undefined)?.steps : undefined;
    if (result) for (const step of steps?.length ? steps : [result]) this.model.record(step);
    if (result && verb === 'reset') this.journal.clear();
    else if (result && !readOnly.has(verb)) this.journal.record(emulatorCommands[verb], args, result);
    return result;
  }

  /**
   * Runs one emulator command on the server and shows it in the channel (unless the caller
   * shows it its own way: a scenario's transcript); the answer, for callers and tests.
   */
  async execute(verb: EmulatorCommand, args: EmulatorCommandArgs = {}, options: { show?: boolean } = {}): Promise<EmulatorCommandResult | undefined> {
    const client = this.ctx.languageClient;
    if (!client || this.ctx.serverState !== 'running') {
      void vscode.window.showErrorMessage('Livepatch Lens: the language server is not running; the emulator lives in it. Try "Livepatch: Restart Language Server".');
      return undefined;
    }
    const result = await this.recorded(
      verb,
      args,
      async () => (await client.sendRequest(ExecuteCommandRequest.type, { command: emulatorCommands[verb], arguments: [args] })) as EmulatorCommandResult | null,
    );
    if (!result) {
      void vscode.window.showErrorMessage(`Livepatch Lens: ${emulatorCommands[verb]} failed; see the Livepatch Lens output.`);
      return undefined;
    }
    if (options.show === false) return result;
    this.show(result);
    if (result.exitCode !== 0) void vscode.window.showWarningMessage(`${result.commandLine}: exit status ${result.exitCode}. ${result.stderr.split('\n')[0]}`);
    return result;
  }

  private show(result: EmulatorCommandResult): void {
    const channel = this.channel;
    channel.appendLine(`$ ${result.commandLine}`);
    for (const text of [result.stdout, result.stderr, result.console.join('\n')]) if (text) channel.appendLine(text.replace(/\n$/, ''));
    // The state notification comes before the answer: the model holds the state after this command.
    const linux = this.model.runtime === 'linux' ? this.model.linux : undefined;
    if (linux) for (const line of linuxStateSummary(linux)) channel.appendLine(line);
    if (result.exitCode !== 0) channel.appendLine(`(exit status ${result.exitCode})`);
    channel.show(true);
  }
}
