import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  ConfigurationParams,
  DocumentSymbol,
  ExecuteCommandOptions,
  Hover,
  InitializeResult,
  Location,
  MarkupContent,
  PublishDiagnosticsParams,
  ShowMessageRequestParams,
  TextDocumentSyncOptions,
  WorkDoneProgressBegin,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageserver';
import type { EmulatorState, TargetStateParams } from '../../../server/src/protocol';

/**
 * The answers the tests read, typed with the protocol's declarations (type-only imports: none of
 * the LSP library's code runs here) narrowed to what this server sends.
 */
export interface Requests {
  initialize: InitializeResult & {
    capabilities: { textDocumentSync: TextDocumentSyncOptions; executeCommandProvider: ExecuteCommandOptions };
    serverInfo: { name: string; version: string };
  };
  shutdown: null;
  'textDocument/hover': (Hover & { contents: MarkupContent }) | null;
  'textDocument/definition': Location[];
  'textDocument/codeAction': CodeAction[];
  'textDocument/documentSymbol': DocumentSymbol[];
  'textDocument/codeLens': CodeLens[];
  'textDocument/completion': CompletionList | null;
  'completionItem/resolve': CompletionItem;
}

/** The notifications (and server requests) the tests read. */
export interface Notifications {
  'textDocument/publishDiagnostics': PublishDiagnosticsParams;
  'window/showMessageRequest': ShowMessageRequestParams;
  'livepatch/targetState': TargetStateParams;
  'livepatch/emulatorState': EmulatorState;
  /** A request from the server: ask for the code lenses again. */
  'workspace/codeLens/refresh': null;
  '$/progress': { token: number | string; value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd };
}

/** A JSON-RPC message as it arrives: a response, a notification or a request from the server. */
interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * A deliberately small, independent JSON-RPC client over stdio: it shares no code with the
 * server's LSP library, so a framing or protocol bug on the server side cannot hide behind it.
 */
export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners: Array<(method: string, params: unknown) => void> = [];
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  stderr = '';

  constructor(serverPath: string, args: string[] = ['--stdio'], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [serverPath, ...args], { stdio: 'pipe', env });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.on('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`server exited; stderr: ${this.stderr}`));
      this.pending.clear();
    });
  }

  get exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  request<M extends keyof Requests>(method: M, params: unknown, timeoutMs?: number): Promise<Requests[M]>;
  request<T>(method: string, params: unknown, timeoutMs?: number): Promise<T>;
  request(method: string, params: unknown, timeoutMs = 15000): Promise<unknown> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The params of every `method` notification received so far, in order. */
  notificationsOf<M extends keyof Notifications>(method: M): Array<Notifications[M]> {
    return this.notifications.filter((n) => n.method === method).map((n) => n.params as Notifications[M]);
  }

  /** Resolves with the first notification of `method` (already received or still to come) that passes `accept`. */
  waitForNotification<M extends keyof Notifications>(method: M, accept: (params: Notifications[M]) => boolean = () => true, timeoutMs = 15000): Promise<Notifications[M]> {
    type P = Notifications[M];
    const seen = this.notificationsOf(method).find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise<P>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.listeners.push((m, params) => {
        if (m === method && accept(params as P)) {
          clearTimeout(timer);
          resolve(params as P);
        }
      });
    });
  }

  async initialize(rootPath: string, initializationOptions: unknown = {}): Promise<Requests['initialize']> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootPath).href,
      // As VS Code says: lenses may be refreshed by the server.
      capabilities: {
        textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
        window: { workDoneProgress: true },
        workspace: { codeLens: { refreshSupport: true } },
      },
      initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  async shutdown(): Promise<number | null> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }

  kill(): void {
    this.child.kill();
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method === undefined) {
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else waiter?.resolve(message.result);
    } else if (message.id !== undefined) {
      // A request from the server (workspace/configuration, window/workDoneProgress/create, ...).
      this.send({ jsonrpc: '2.0', id: message.id, result: message.method === 'workspace/configuration' ? (message.params as ConfigurationParams).items.map(() => null) : null });
      this.notifications.push({ method: message.method, params: message.params });
      for (const listener of this.listeners) listener(message.method, message.params);
    } else {
      this.notifications.push({ method: message.method, params: message.params });
      for (const listener of this.listeners) listener(message.method, message.params);
    }
  }
}
