// Worker-thread entry for payload inspection: started by payloadInspection.ts, never imported.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { analyzePayloadFile } from '../checks/payload';
import { configureLimits } from '../limits';
import { payloadView } from '../payload';
import { sharedTargetIndex } from '../target';
import type { InspectionReply, InspectionRequest } from './payloadInspectionProtocol';

function inspect({ file, target, limits }: InspectionRequest): InspectionReply {
  configureLimits(limits);
  const index = target ? sharedTargetIndex(target) : undefined;
  const { opened, findings } = analyzePayloadFile(file, index ? { target: index } : {});
  return { type: 'inspected', view: payloadView(opened, index), findings };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  try {
    port.postMessage(inspect(workerData as InspectionRequest));
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies InspectionReply);
  }
}
