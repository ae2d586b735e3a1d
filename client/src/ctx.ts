import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, ErrorHandler, LanguageClient, Middleware, State } from 'vscode-languageclient/node';
import { serverSettings } from './config';
import { createLanguageClient } from './languageClient';
import { RestartPolicy } from './restartPolicy';
import type { ServerRecovery, ServerState } from './statusPresentation';
import { targetStateNotification, TargetStateParams } from '../../server/src/protocol';

type ExecuteCommand = NonNullable<Middleware['executeCommand']>;

/**
 * Owns the language client for the whole session: starting, stopping and restarting it, and
 * telling the features when its state changes. Features subscribe once; the client behind may
 * be replaced. A server process that dies on its own is restarted by the client (bounded by
 * the RestartPolicy), and the features hear that the new one runs `afterCrash`.
 */
export class Ctx {
  readonly output: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  private state: ServerState = 'stopped';
  private lastError: string | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly startEmitter = new vscode.EventEmitter<{ afterCrash: boolean }>();
  /** The server is running: started by the user (or activation), or restarted after it died. */
  readonly onDidStartServer = this.startEmitter.event;
  private target: TargetStateParams | undefined;
  private readonly notificationHandlers: Array<[string, (params: unknown) => void]> = [];
  private readonly targetEmitter = new vscode.EventEmitter<TargetStateParams>();
  /** The target image the server's checks use, as it reports each change. */
  readonly onDidChangeTarget = this.targetEmitter.event;
  private readonly policy = new RestartPolicy();
  private recoveryState: ServerRecovery | undefined;
  /** The server died and the client is starting a new one: its start is a recovery. */
  private recovering = false;
  private serverProcess: ChildProcess | undefined;
  // The library types a command's result as `any`: it is the server's answer, passed through untouched.
  private commandHandler: ExecuteCommand = (command, args, next) => next(command, args) as unknown;
  private settingsInUse = '';

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Livepatch Lens', { log: true });
    extension.subscriptions.push(this.output, this.stateEmitter, this.startEmitter, this.targetEmitter);
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

  /** How the server came back from crashes, or gave up; undefined after a start by the user. */
  get recovery(): ServerRecovery | undefined {
    return this.recoveryState;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** The running server's process id (the end-to-end tests kill it). */
  get serverPid(): number | undefined {
    return this.serverAlive() ? this.serverProcess?.pid : undefined;
  }

  /** Whether the settings the server reads differ from those it was started with. */
  get settingsChanged(): boolean {
    return JSON.stringify(serverSettings()) !== this.settingsInUse;
  }

  /**
   * Every `workspace/executeCommand` of the server's own commands (registered in VS Code by the
   * language client) goes through this handler; one feature, the emulator, owns them.
   */
  handleServerCommands(handler: ExecuteCommand): void {
    this.commandHandler = handler;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const settings = serverSettings();
    this.settingsInUse = JSON.stringify(settings);
    const client = createLanguageClient(this.extension, this.output, settings, {
      errorHandler: this.errorHandler,
      executeCommand: (command, args, next) => this.commandHandler(command, args, next) as unknown,
      onServerProcess: (server) => this.watchServerProcess(server),
    });
    this.client = client;
    this.policy.reset();
    this.recoveryState = undefined;
    this.recovering = false;
    for (const [method, handler] of this.notificationHandlers) client.onNotification(method, handler);
    client.onDidChangeState(({ newState }) => {
      if (this.client !== client) return;
      // While the client brings a crashed server back, the status says starting, not stopped.
      if (newState === State.Running) this.setState('running');
      else if (newState === State.Starting || this.recovering) this.setState('starting');
      else this.setState('stopped');
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
    const server = this.serverProcess;
    this.client = undefined;
    this.target = undefined;
    this.recovering = false;
    if (client && client.state !== State.Stopped) await client.stop().catch((error) => this.output.error(`stopping the server: ${String(error)}`));
    // The server exits on the protocol's `exit`; one that does not must not outlive the session.
    if (server) setTimeout(() => stillRunning(server) && server.kill('SIGKILL'), 2000).unref();
    this.setState('stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Called by the language client when the connection closes without a stop. */
  private readonly errorHandler: ErrorHandler = {
    // A broken message or two is survivable; a connection that keeps failing is shut down. But a
    // server that died while the client was writing (a crash as documents open) fails every
    // pending write at once: shutting down then would skip `closed` below, and its restart.
    error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 || !this.serverAlive() ? ErrorAction.Continue : ErrorAction.Shutdown }),
    closed: () => {
      const decision = this.policy.onCrash();
      if (decision.restart) {
        this.recovering = true;
        this.recoveryState = { restarts: decision.restarts };
        this.output.warn(`the language server stopped unexpectedly; restarting it (restart ${decision.restarts})`);
        return { action: CloseAction.Restart, handled: true };
      }
      this.recovering = false;
      this.recoveryState = { gaveUpAfter: decision.crashes };
      this.lastError = `it stopped unexpectedly ${decision.crashes} times within ${this.policy.windowMs / 60_000} minutes`;
      this.output.error(`the language server stopped unexpectedly ${decision.crashes} times within ${this.policy.windowMs / 60_000} minutes; not restarting it`);
      return {
        action: CloseAction.DoNotRestart,
        message: `The Livepatch Lens language server stopped after ${decision.crashes} crashes and is not restarted again; click the status bar item to restart it.`,
      };
    },
  };

  private serverAlive(): boolean {
    return this.serverProcess !== undefined && stillRunning(this.serverProcess);
  }

  private watchServerProcess(server: ChildProcess): void {
    this.serverProcess = server;
    server.on('error', (error) => this.output.error(`the language server process: ${error.message}`));
    server.on('exit', (code, signal) => this.output.info(`language server process ${server.pid} ended (${signal ? `signal ${signal}` : `exit status ${code}`})`));
  }

  private setState(state: ServerState): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'running') this.lastError = undefined;
    if (state === 'stopped' && !this.lastError && this.client) this.lastError = 'the language server stopped';
    this.output.info(`language server ${state}`);
    this.stateEmitter.fire(state);
    if (state === 'running') {
      const afterCrash = this.recovering;
      this.recovering = false;
      this.startEmitter.fire({ afterCrash });
    }
  }
}

function stillRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
