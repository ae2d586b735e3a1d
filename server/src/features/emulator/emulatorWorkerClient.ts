import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { limits } from '../../limits';
import type { EmulatorReply, EmulatorRequest, EmulatorWorkerData } from './emulatorProtocol';

/** Beside this code: server/out/features/emulator/ from tsc, dist/ from esbuild (its own entry point). */
const defaultWorkerFile = path.join(__dirname, 'emulatorWorker.js');

/** What a command came to: the worker's reply, or the session lost with the worker. */
export type EmulatorOutcome = EmulatorReply | { lost: string };

/**
 * The emulator session in a worker thread: a guest call may run for seconds (its instruction
 * budget and wall clock bound it) and no request waits for it. Commands run in the order sent.
 * If the worker dies, or stops answering for longer than its commands can take, every command
 * waiting is answered as lost and the next one boots a fresh machine.
 */
export class EmulatorWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (outcome: EmulatorOutcome) => void>();
  private watchdog: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly workerFile = defaultWorkerFile) {}

  /** `more`: the runtime (default Xen), an echo's redirection, the line as written. */
  run(target: string, argv: string[], more: Omit<EmulatorRequest, 'id' | 'target' | 'argv'> = {}): Promise<EmulatorOutcome> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((settle) => {
      this.pending.set(id, settle);
      const request: EmulatorRequest = { id, target, argv, ...more };
      worker.postMessage(request);
      this.watchdog ??= this.arm();
    });
  }

  dispose(): void {
    this.lose('the language server is shutting down');
  }

  /**
   * One command may make several guest calls (load: upload, apply, the hooks), each stopped by
   * limits().guestTimeoutMs; a worker silent for much longer than that is stuck outside the guest.
   */
  private arm(): NodeJS.Timeout {
    const ms = 4 * limits().guestTimeoutMs + 10_000;
    return setTimeout(() => this.lose(`the emulator did not answer within ${ms / 1000} s and was stopped`), ms);
  }

  private start(): Worker {
    const workerData: EmulatorWorkerData = { limits: { ...limits() } };
    const worker = new Worker(this.workerFile, { workerData });
    worker.unref();
    worker.on('message', (reply: EmulatorReply) => worker === this.worker && this.receive(reply));
    worker.on('error', (error) => worker === this.worker && this.lose(`the emulator crashed: ${error.message}`));
    worker.on('exit', (code) => worker === this.worker && this.lose(`the emulator exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(reply: EmulatorReply): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.pending.get(reply.id)?.(reply);
    this.pending.delete(reply.id);
    if (this.pending.size) this.watchdog = this.arm();
  }

  private lose(reason: string): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const settle of this.pending.values()) settle({ lost: reason });
    this.pending.clear();
  }
}
