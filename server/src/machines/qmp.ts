import * as net from 'node:net';
import { MachineError } from './machineError';
import { pollUntil } from './pollUntil';

type Reply = { return?: unknown; error?: { class: string; desc: string } };

/**
 * QEMU's machine protocol (QMP) on a unix socket: one JSON object per line, a greeting, then
 * `qmp_capabilities` before any command; replies come in the order the commands were sent, with
 * asynchronous events (STOP, RESUME, ...) between them, which are not needed here and skipped.
 */
export class Qmp {
  private buffer = '';
  private readonly waiting: { resolve(reply: Reply): void; reject(error: Error): void }[] = [];
  private closed: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.feed(chunk));
    socket.on('error', (error) => this.end(new MachineError(`QEMU's QMP socket: ${error.message}`)));
    socket.on('close', () => this.end(new MachineError("QEMU's QMP socket closed")));
  }

  /** Connects once QEMU has made the socket (it does so just after starting), for up to `timeoutMs`. */
  static async connect(socketPath: string, timeoutMs = 10_000): Promise<Qmp> {
    let failure = '';
    return pollUntil(
      timeoutMs,
      async () => {
        try {
          const qmp = await new Promise<Qmp>((resolve, reject) => {
            const socket = net.connect(socketPath);
            socket.once('connect', () => resolve(new Qmp(socket)));
            socket.once('error', reject);
          });
          // The greeting is the first "reply": nothing was asked, but it comes before any answer.
          await qmp.next();
          await qmp.execute('qmp_capabilities');
          return qmp;
        } catch (error) {
          failure = (error as Error).message;
          return undefined;
        }
      },
      () => new MachineError(`no QMP socket at ${socketPath} within ${timeoutMs} ms: ${failure}`),
    );
  }

  /** Runs one command; its `return` value, or a MachineError with QEMU's description. */
  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const reply = this.next();
    this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const { return: value, error } = await reply;
    if (error) throw new MachineError(`QMP ${command}: ${error.desc}`);
    return value;
  }

  close(): void {
    this.socket.destroy();
  }

  private next(): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end + 1);
      if (!line) continue;
      const message = JSON.parse(line) as Reply & { event?: string };
      if (!message.event) this.waiting.shift()?.resolve(message);
    }
  }

  private end(error: MachineError): void {
    this.closed ??= error;
    for (const w of this.waiting.splice(0)) w.reject(this.closed);
  }
}
