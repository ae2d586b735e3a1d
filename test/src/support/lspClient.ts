import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * A deliberately small, independent JSON-RPC client over stdio: it shares no code with the
 * server's LSP library, so a framing or protocol bug on the server side cannot hide behind it.
 */
export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly listeners: Array<(method: string, params: any) => void> = [];
  readonly notifications: Array<{ method: string; params: any }> = [];
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

  request<T = any>(method: string, params: unknown, timeoutMs = 15000): Promise<T> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification of `method` (already received or still to come) that passes `accept`. */
  waitForNotification<T = any>(method: string, accept: (params: T) => boolean = () => true, timeoutMs = 15000): Promise<T> {
    const seen = this.notifications.find((n) => n.method === method && accept(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.listeners.push((m, params) => {
        if (m === method && accept(params)) {
          clearTimeout(timer);
          resolve(params);
        }
      });
    });
  }

  async initialize(rootPath: string, initializationOptions: unknown = {}): Promise<any> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootPath).href,
      capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } }, window: { workDoneProgress: true } },
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
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(message);
    }
  }

  private dispatch(message: any): void {
    if (message.id !== undefined && message.method === undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else waiter?.resolve(message.result);
    } else if (message.id !== undefined) {
      // A request from the server (workspace/configuration, window/workDoneProgress/create, ...).
      this.send({ jsonrpc: '2.0', id: message.id, result: message.method === 'workspace/configuration' ? message.params.items.map(() => null) : null });
      this.notifications.push({ method: message.method, params: message.params });
      for (const listener of this.listeners) listener(message.method, message.params);
    } else {
      this.notifications.push(message);
      for (const listener of this.listeners) listener(message.method, message.params);
    }
  }
}
