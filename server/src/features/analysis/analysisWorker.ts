// Worker-thread entry for document analysis: started by analysisRunner.ts, never imported.
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createCParser } from '../../c/cParser';
import '../../checks';
import { targetFacts } from '../../checks/facts/targetFacts';
import type { FactsProvider } from '../../checks/facts/functionFacts';
import { configureLimits } from '../../limits';
import { sharedTargetIndex } from '../../target';
import { analyzeDocument, JobCancelled } from './analyzeDocument';
import type { AnalysisWorkerData, WorkerReply, WorkerRequest } from './protocol';
import { WorkerTrees } from './workerTrees';

function serve(port: NonNullable<typeof parentPort>, data: AnalysisWorkerData): void {
  configureLimits(data.limits);
  const cancelled = new Int32Array(data.cancel);
  const trees = createCParser().then((parser) => new WorkerTrees(parser));
  let facts: FactsProvider | undefined;
  const reply = (message: WorkerReply) => port.postMessage(message);

  const handle = async (request: WorkerRequest): Promise<void> => {
    if (request.type === 'close') return (await trees.catch(() => undefined))?.close(request.uri);
    if (request.type === 'target') {
      const { path } = request.target;
      try {
        facts = targetFacts(sharedTargetIndex(request.target));
        return reply({ type: 'target', path });
      } catch (error) {
        facts = undefined;
        return reply({ type: 'target', path, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const { job } = request;
    try {
      const result = await analyzeDocument(job, await trees, facts, () => Atomics.load(cancelled, 0) === job.id);
      reply({ type: 'analyzed', id: job.id, result });
    } catch (error) {
      if (error instanceof JobCancelled) return reply({ type: 'cancelled', id: job.id });
      // WebAssembly.RuntimeError (the server's lib types have no WebAssembly namespace).
      if (error instanceof Error && error.constructor.name === 'RuntimeError') {
        // tree-sitter's module memory is corrupt after a fault (its 2 GiB ran out, its stack overflowed): every later parse here
        // would fail too. The runner starts a fresh worker when this one exits.
        reply({ type: 'failed', id: job.id, message: `${job.file}: the C parser failed (${error.message}); the analysis worker restarts` });
        setImmediate(() => process.exit(1));
        return;
      }
      reply({ type: 'failed', id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  };
  // One request at a time, in arrival order: a job must see the target and the closes sent before it.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(() => handle(request));
  });
}

/**
 * On Linux a thread has its own nice value: a worker for large documents runs below the server's
 * main thread, so requests win the CPU from it on a busy machine. Where the system refuses,
 * analysis just runs at the normal priority.
 */
function lowerPriority(niceness: number): void {
  try {
    if (niceness) setPriority(0, niceness);
  } catch {
    // not permitted here: nothing to do
  }
}

if (!isMainThread && parentPort) {
  const data = workerData as AnalysisWorkerData;
  lowerPriority(data.niceness);
  serve(parentPort, data);
}
