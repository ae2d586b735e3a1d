import * as vscode from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';

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

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Livepatch Lens', { log: true });
    extension.subscriptions.push(this.output, this.stateEmitter);
  }

  get serverState(): ServerState {
    return this.state;
  }

  get serverError(): string | undefined {
    return this.lastError;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const client = createLanguageClient(this.extension, this.output);
    this.client = client;
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

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
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
