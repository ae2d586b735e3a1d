import * as vscode from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { targetStateNotification, TargetStateParams } from '../../server/src/protocol';

export type ServerState = 'starting' | 'running' | 'stopped';

/**
 * Owns the language client for the whole session: starting, stopping and restarting it, and
 * telling the features when its state changes. Features subscribe once; the client behind may
 * be replaced.
 */
export class Ctx {
  readonly output: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  private state: ServerState = 'stopped';
  private lastError: string | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private target: TargetStateParams | undefined;
  private readonly notificationHandlers: Array<[string, (params: unknown) => void]> = [];
  private readonly targetEmitter = new vscode.EventEmitter<TargetStateParams>();
  /** The target image the server's checks use, as it reports each change. */
  readonly onDidChangeTarget = this.targetEmitter.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Livepatch Lens', { log: true });
    extension.subscriptions.push(this.output, this.stateEmitter, this.targetEmitter);
    // The server reports the target as soon as it is initialized.
    this.onNotification(targetStateNotification, (params: TargetStateParams) => {
      this.target = params;
      this.targetEmitter.fire(params);
    });
  }

  get serverState(): ServerState {
    return this.state;
  }

  get serverError(): string | undefined {
    return this.lastError;
  }

  get targetState(): TargetStateParams | undefined {
    return this.target;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const client = createLanguageClient(this.extension, this.output);
    this.client = client;
    for (const [method, handler] of this.notificationHandlers) client.onNotification(method, handler);
    client.onDidChangeState(({ newState }) => {
      if (this.client === client) this.setState(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped');
    });
    this.lastError = undefined;
    this.setState('starting');
    try {
      await client.start();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      client.error('The Livepatch Lens language server did not start', error, 'force');
      this.setState('stopped');
    }
  }

  /**
   * A server notification a feature listens to for the whole session: attached to every client
   * this context starts, before it starts, so restarts neither lose nor duplicate it.
   */
  onNotification<P>(method: string, handler: (params: P) => void): void {
    this.notificationHandlers.push([method, handler as (params: unknown) => void]);
    if (this.client) this.client.onNotification(method, handler);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.target = undefined;
    if (client?.isRunning()) await client.stop().catch((error) => this.output.error(`stopping the server: ${String(error)}`));
    this.setState('stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private setState(state: ServerState): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'stopped' && !this.lastError && this.client) this.lastError = 'the language server stopped';
    this.output.info(`language server ${state}`);
    this.stateEmitter.fire(state);
  }
}
