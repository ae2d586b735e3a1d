import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BuildProgress } from './model';
import { DwarfTables, TargetTables } from './tables';
import { deserializeError, WorkerJob, WorkerMessage } from './workerProtocol';

/**
 * The worker entry: server/out/target/targetIndexWorker.js from tsc, dist/targetIndexWorker.js
 * from esbuild (a separate entry point), in both cases next to this module's code.
 */
export const workerFile = path.join(__dirname, 'targetIndexWorker.js');

export function workerAvailable(): boolean {
  return existsSync(workerFile);
}

/** Young-generation room: the scan allocates many short-lived objects; a bigger nursery halves GC time. */
const resourceLimits = { maxYoungGenerationSizeMb: 96 };

/** AbortSignal.reason is whatever abort() was given (a DOMException when nothing): always reject with an Error. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

function runWorker<T>(job: WorkerJob, onMessage: (message: WorkerMessage) => T | undefined, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const worker = new Worker(workerFile, { workerData: job, resourceLimits });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      action();
      void worker.terminate();
    };
    const abort = (): void => finish(() => reject(abortReason(signal)));
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'error') return finish(() => reject(deserializeError(message.error)));
      const result = onMessage(message);
      if (result !== undefined) finish(() => resolve(result));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`target index worker exited with code ${code}`))));
  });
}

/** Scans one slice of the DWARF in a worker thread. */
export function runDwarfPart(file: string, part: { index: number; count: number }, onProgress: (done: number, total: number) => void): Promise<DwarfTables> {
  return runWorker<DwarfTables>({ kind: 'dwarf-part', path: file, part }, (m) => {
    if (m.type === 'part-progress') onProgress(m.done, m.total);
    return m.type === 'part' ? m.tables : undefined;
  });
}

/** Builds the whole index in a worker thread, so the caller's event loop stays free. */
export function runBuildInWorker(file: string, dwarfWorkers: number, onProgress: (p: BuildProgress) => void, signal?: AbortSignal): Promise<TargetTables> {
  return runWorker<TargetTables>(
    { kind: 'build', path: file, dwarfWorkers },
    (m) => {
      if (m.type === 'progress') onProgress(m.progress);
      return m.type === 'built' ? m.tables : undefined;
    },
    signal,
  );
}
