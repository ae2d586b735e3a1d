import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzInput } from './targets';
import type { InputMessage, ThrownError, WorkerMessage } from './worker';

export interface Bounds {
  /** Per input, after the worker is ready. */
  timeoutMs: number;
  /** The worker's V8 heap (resourceLimits.maxOldGenerationSizeMb). */
  heapMb: number;
  /** Growth of the process's resident memory during one input (buffers are outside the V8 heap). */
  rssGrowthMb: number;
}

export const defaultBounds: Bounds = { timeoutMs: 5_000, heapMb: 512, rssGrowthMb: 1024 };

export type RunResult = { ms: number; step: string; rssMb: number } & (
  { outcome: 'ok'; problems: string[]; rejections: number } | { outcome: 'thrown'; error: ThrownError } | { outcome: 'bound'; bound: string }
);

const mb = (bytes: number): number => Math.round(bytes / 1048576);
const parseAllowanceMsPerMb = 2_000;
/** tree-sitter's own tree is 20-35 bytes a byte of C (20 MB klp array: 0.4 GB; 33 MB of broken C: 1.1 GB), both past the cParseMiB bound, 2 MiB by default, so no longer parsed. */
const parseAllowanceMbPerMb = 40;

/**
 * Runs inputs in a worker thread under a time and a memory bound. The worker stays alive across
 * inputs (loading the engine and the sample target takes longer than most inputs); one that hung,
 * ran out of memory or died is terminated and replaced by the next input.
 */
export class Harness {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private dir: string | undefined;
  private nextId = 0;
  /** The highest resident memory seen, in MiB. */
  peakRssMb = 0;

  constructor(private readonly bounds: Bounds = defaultBounds) {}

  private start(): Promise<void> {
    this.dir = mkdtempSync(path.join(tmpdir(), 'livepatch-fuzz-'));
    const worker = new Worker(path.join(__dirname, 'worker.js'), {
      workerData: { dir: this.dir },
      resourceLimits: { maxOldGenerationSizeMb: this.bounds.heapMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    worker.stdout.resume();
    worker.stderr.resume();
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type !== 'ready') return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  async run(input: FuzzInput): Promise<RunResult> {
    this.ready ??= this.start();
    await this.ready;
    const worker = this.worker!;
    const id = this.nextId++;
    const started = performance.now();
    const rssAtStart = process.memoryUsage.rss();
    let step = 'start';
    let rssMb = mb(rssAtStart);
    const result = await new Promise<RunResult>((resolve) => {
      const finish = (r: RunResult) => {
        clearTimeout(timer);
        clearInterval(sampler);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(r);
      };
      const base = () => ({ ms: performance.now() - started, step, rssMb });
      const bound = (what: string) => finish({ ...base(), outcome: 'bound', bound: what });
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'ready' || m.id !== id) return;
        if (m.type === 'step') step = m.step;
        else if (m.type === 'done') finish({ ...base(), outcome: 'ok', problems: m.problems, rejections: m.rejections });
        else finish({ ...base(), step: m.step, outcome: 'thrown', error: m.error });
      };
      const onError = (error: Error & { code?: string }) =>
        bound(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `heap over ${this.bounds.heapMb} MB` : `worker died (${error.name}: ${error.message})`);
      const onExit = (code: number) => bound(`worker exited with ${code}`);
      // tree-sitter alone parses broken C at 0.1-3 MB/s (its error recovery on 39k statements in a struct body: 2.5 s for 315 KB) and
      // builds a tree 20-35 times the text: bounds flat in the size would flag the parser, not us.
      const timeoutMs = this.bounds.timeoutMs + Math.ceil(input.bytes.length / 1048576) * parseAllowanceMsPerMb;
      const timer = setTimeout(() => bound(`no result in ${timeoutMs} ms`), timeoutMs);
      const growthMb = this.bounds.rssGrowthMb + Math.ceil(input.bytes.length / 1048576) * parseAllowanceMbPerMb;
      const sampler = setInterval(() => {
        const rss = process.memoryUsage.rss();
        rssMb = Math.max(rssMb, mb(rss));
        if (rss - rssAtStart > growthMb * 1048576) bound(`memory grew over ${growthMb} MB`);
      }, 25);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const message: InputMessage = { id, kind: input.kind, name: input.name, bytes: input.bytes };
      worker.postMessage(message);
    });
    this.peakRssMb = Math.max(this.peakRssMb, result.rssMb);
    // A WebAssembly fault leaves tree-sitter's module memory corrupt: every later parse in the worker would fail too (the analysis worker restarts the same way).
    if (result.outcome === 'bound' || (result.outcome === 'thrown' && result.error.name === 'RuntimeError')) await this.discard();
    return result;
  }

  private async discard(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    await worker?.terminate();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  close(): Promise<void> {
    return this.discard();
  }
}
