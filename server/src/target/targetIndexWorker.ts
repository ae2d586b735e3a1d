// Worker-thread entry for building a target index: started by workerClient.ts, never imported.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DwarfReader, readElf } from '../elf';
import { buildTargetIndexData } from './buildTargetIndexData';
import { serializeError, WorkerJob, WorkerMessage } from './workerProtocol';

async function run(job: WorkerJob, post: (message: WorkerMessage) => void): Promise<void> {
  if (job.kind === 'build') {
    const data = await buildTargetIndexData(job.path, { dwarfWorkers: job.dwarfWorkers, onProgress: (progress) => post({ type: 'progress', progress }) });
    post({ type: 'built', data });
    return;
  }
  const elf = readElf(job.path);
  try {
    const facts = new DwarfReader(elf).scan({ part: job.part, onProgress: (done, total) => post({ type: 'part-progress', done, total }) });
    post({ type: 'part', facts });
  } finally {
    elf.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const post = (message: WorkerMessage): void => port.postMessage(message);
  run(workerData as WorkerJob, post).catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
}
