import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { limits } from '../../limits';
import type { SharedTarget } from '../../target';
import type { AnalysisJob, AnalysisResult, AnalysisWorkerData, WorkerReply, WorkerRequest } from './protocol';

/**
 * The worker entry: server/out/features/analysis/analysisWorker.js from tsc,
 * dist/analysisWorker.js from esbuild (a separate entry point), in both cases next to this code.
 */
const defaultWorkerFile = path.join(__dirname, 'analysisWorker.js');

/**
 * A 16 MB nursery instead of V8's 48: an analysis allocates mostly web-tree-sitter's short-lived
 * node objects, and the smaller young generation takes 15-25 MB off the peak of the largest
 * patches (the 1 MB patch, 50k added globals) at no measurable cost in time; 8-12 MB costs the
 * 50 MB patch 120 MB more (`bench/pathological.bench.mjs`, which runs its analyses with these).
 */
export const analysisWorkerResourceLimits = { maxYoungGenerationSizeMb: 16 };

export type AnalysisOutcome =
  | { kind: 'analyzed'; result: AnalysisResult }
  /** A newer version of the document (or its close) made this one pointless. */
  | { kind: 'cancelled' }
  /** It ran past `limits().analysisTimeoutMs` and the worker was stopped. */
  | { kind: 'stopped'; afterMs: number }
  | { kind: 'failed'; message: string };

interface Waiting {
  job: AnalysisJob;
  settle(outcome: AnalysisOutcome): void;
}

interface Running extends Waiting {
  timeout: NodeJS.Timeout;
  /** Set once the job is superseded: when it fires, the worker has not stopped in time. */
  grace?: NodeJS.Timeout;
}

export interface RunnerOptions {
  /** How long a superseded job may go on before its worker is replaced. */
  graceMs: number;
  /** Crashes in a row (no job finishing in between) after which analysis gives up. */
  maxCrashes: number;
  workerFile: string;
  /** The worker thread's nice value (see analysisWorker.ts). */
  niceness: number;
}

export const defaultRunnerOptions: RunnerOptions = { graceMs: 300, maxCrashes: 3, workerFile: defaultWorkerFile, niceness: 0 };

/**
 * Runs document analyses in a worker thread, one at a time, so no check, however slow on
 * however large a document, holds up a request. Per document only the newest version waits;
 * a running job that is superseded is asked to stop and, if it does not within the grace
 * period, its worker is terminated and a fresh one started, as it is when a job runs past the
 * time limit or the worker crashes.
 */
export class AnalysisRunner {
  private worker: Worker | undefined;
  private readonly cancel = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  private readonly waiting = new Map<string, Waiting>();
  private running: Running | undefined;
  /** The documents the worker has seen and not been told are closed: it may hold their trees. */
  private readonly held = new Set<string>();
  private target: SharedTarget | undefined;
  /** The worker is reading the target's index: jobs wait, or they would run without its facts. */
  private loadingTarget = false;
  private announcedTarget: string | undefined;
  private readonly targetListeners: Array<() => void> = [];
  private crashes = 0;
  private nextId = 1;

  constructor(
    private readonly log: (message: string) => void,
    private readonly options: RunnerOptions = defaultRunnerOptions,
  ) {}

  analyze(request: Omit<AnalysisJob, 'id'>): Promise<AnalysisOutcome> {
    return new Promise((settle) => {
      if (this.crashes > this.options.maxCrashes)
        return settle({ kind: 'failed', message: `the analysis worker crashed ${this.crashes} times in a row; restart the language server` });
      this.waiting.get(request.uri)?.settle({ kind: 'cancelled' });
      this.waiting.set(request.uri, { job: { ...request, id: this.nextId++ }, settle });
      if (this.running?.job.uri === request.uri) this.supersede(this.running);
      this.pump();
    });
  }

  close(uri: string): void {
    this.waiting.get(uri)?.settle({ kind: 'cancelled' });
    this.waiting.delete(uri);
    if (this.running?.job.uri === uri) this.supersede(this.running);
    this.post({ type: 'close', uri });
    this.held.delete(uri);
    this.pump();
  }

  /** The target the main thread has indexed; the worker opens the same index over the same memory. */
  setTarget(target: SharedTarget): void {
    this.target = target;
    if (this.worker) this.sendTarget();
  }

  /** Called once the worker has (or has failed to) read a new target: what the checks know changed. */
  onTargetLoaded(listener: () => void): void {
    this.targetListeners.push(listener);
  }

  dispose(): void {
    for (const waiting of this.waiting.values()) waiting.settle({ kind: 'cancelled' });
    this.waiting.clear();
    if (this.running) this.finish(this.running, { kind: 'cancelled' });
    this.replaceWorker();
  }

  private post(request: WorkerRequest): void {
    this.worker?.postMessage(request);
  }

  private sendTarget(): void {
    this.loadingTarget = true;
    this.post({ type: 'target', target: this.target! });
  }

  private supersede(running: Running): void {
    if (running.grace) return;
    Atomics.store(new Int32Array(this.cancel), 0, running.job.id);
    running.grace = setTimeout(() => {
      this.log(
        `the analysis of ${running.job.file} (version ${running.job.version}) did not stop within ${this.options.graceMs} ms of being superseded: restarting the analysis worker`,
      );
      this.finish(running, { kind: 'cancelled' });
      this.replaceWorker();
      this.pump();
    }, this.options.graceMs);
  }

  private pump(): void {
    if (this.running) return;
    if (!this.waiting.size) {
      // Nothing open left to it: a worker that parsed a 20 MB file keeps the memory it grew to.
      if (!this.held.size) this.replaceWorker();
      return;
    }
    if (!this.worker) this.start();
    if (this.loadingTarget) return;
    // Smallest first: a small document never waits behind a big one that is still queued.
    const next = [...this.waiting.values()].reduce((a, b) => (b.job.text.length < a.job.text.length ? b : a));
    this.waiting.delete(next.job.uri);
    const afterMs = limits().analysisTimeoutMs;
    const running: Running = {
      ...next,
      timeout: setTimeout(() => {
        this.log(`the analysis of ${running.job.file} (version ${running.job.version}) ran past ${afterMs} ms: stopped`);
        this.finish(running, { kind: 'stopped', afterMs });
        this.replaceWorker();
        this.pump();
      }, afterMs),
    };
    this.running = running;
    this.held.add(next.job.uri);
    this.post({ type: 'analyze', job: next.job });
  }

  private finish(running: Running, outcome: AnalysisOutcome): void {
    if (this.running !== running) return;
    clearTimeout(running.timeout);
    clearTimeout(running.grace);
    this.running = undefined;
    running.settle(outcome);
  }

  private start(): void {
    const workerData: AnalysisWorkerData = { limits: { ...limits() }, cancel: this.cancel, niceness: this.options.niceness };
    const worker = new Worker(this.options.workerFile, { workerData, resourceLimits: analysisWorkerResourceLimits });
    // The worker never keeps the server alive once the connection is gone.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => worker === this.worker && this.receive(reply));
    worker.on('error', (error) => worker === this.worker && this.crashed(error.stack ?? error.message));
    worker.on('exit', (code) => worker === this.worker && this.crashed(`it exited with code ${code}`));
    this.worker = worker;
    if (this.target) this.sendTarget();
  }

  private replaceWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.loadingTarget = false;
    void worker?.terminate();
  }

  private receive(reply: WorkerReply): void {
    if (reply.type === 'target') {
      this.loadingTarget = false;
      if (reply.error) this.log(`the analysis worker cannot read the index of ${reply.path}: ${reply.error}; its checks use source-level facts`);
      if (this.announcedTarget !== reply.path) {
        this.announcedTarget = reply.path;
        for (const listener of this.targetListeners) listener();
      }
    } else if (this.running?.job.id === reply.id) {
      this.crashes = 0;
      this.finish(
        this.running,
        reply.type === 'analyzed' ? { kind: 'analyzed', result: reply.result } : reply.type === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', message: reply.message },
      );
    }
    this.pump();
  }

  private crashed(message: string): void {
    this.crashes++;
    this.log(`the analysis worker crashed: ${message}`);
    if (this.running) this.finish(this.running, { kind: 'failed', message: `the analysis worker crashed: ${message}` });
    this.replaceWorker();
    if (this.crashes > this.options.maxCrashes) {
      this.log(`the analysis worker crashed ${this.crashes} times in a row: documents are no longer analysed until the server restarts`);
      for (const waiting of this.waiting.values()) waiting.settle({ kind: 'failed', message: 'the analysis worker is disabled after repeated crashes' });
      this.waiting.clear();
      return;
    }
    this.pump();
  }
}
