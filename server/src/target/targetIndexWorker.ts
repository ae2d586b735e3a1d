// Worker-thread entry for building a target index: started by workerClient.ts, never imported.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DwarfReader, readElf } from '../elf';
import { buildTargetIndexData } from './buildTargetIndexData';
import { dwarfTables } from './dwarfTables';
import { transferList } from './tables';
import { serializeError, WorkerJob, WorkerMessage } from './workerProtocol';

/** Posts a message; its columns are transferred, not copied. */
type Post = (message: WorkerMessage, transfer?: ArrayBuffer[]) => void;

async function run(job: WorkerJob, post: Post): Promise<void> {
  if (job.kind === 'build') {
    const tables = await buildTargetIndexData(job.path, { dwarfWorkers: job.dwarfWorkers, onProgress: (progress) => post({ type: 'progress', progress }) });
    post({ type: 'built', tables }, transferList(tables));
    return;
  }
  const elf = readElf(job.path);
  try {
    const facts = new DwarfReader(elf).scanColumns({ part: job.part, onProgress: (done, total) => post({ type: 'part-progress', done, total }) });
    const tables = dwarfTables(facts);
    post({ type: 'part', tables }, transferList(tables));
  } finally {
    elf.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const post: Post = (message, transfer) => port.postMessage(message, transfer);
  run(workerData as WorkerJob, post).catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
}
