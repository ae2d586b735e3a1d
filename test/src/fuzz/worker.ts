import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { FuzzKind } from './recipe';
import { runInput, StepFailure } from './targets';

/** What the harness sends: one input. */
export interface InputMessage {
  id: number;
  kind: FuzzKind;
  name: string;
  bytes: Uint8Array;
}

export interface ThrownError {
  name: string;
  message: string;
  stack: string;
}

/** What the worker answers: ready once, then per input its steps and one result. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'step'; id: number; step: string }
  | { type: 'done'; id: number; problems: string[]; rejections: number }
  | { type: 'failed'; id: number; step: string; error: ThrownError };

const port = parentPort!;
const { dir } = workerData as { dir: string };
const post = (message: WorkerMessage): void => port.postMessage(message);

function thrown(error: unknown): ThrownError {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error), stack: '' };
  return { name: error.constructor.name === 'Error' ? error.name : error.constructor.name, message: error.message, stack: error.stack ?? '' };
}

port.on('message', (message: InputMessage) => {
  const { id, kind, name } = message;
  runInput({ kind, name, bytes: Buffer.from(message.bytes) }, dir, (step) => post({ type: 'step', id, step }))
    .then((report) => post({ type: 'done', id, ...report }))
    .catch((error: unknown) =>
      post(error instanceof StepFailure ? { type: 'failed', id, step: error.step, error: thrown(error.cause) } : { type: 'failed', id, step: 'harness', error: thrown(error) }),
    )
    .finally(() => rmSync(path.join(dir, name), { force: true }));
});

// The sample target and the C parser are made before the first input, so no input's time includes them.
runInput({ kind: 'c', name: 'warm-up.c', bytes: Buffer.from('int x;\n') }, dir, () => {}).then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'failed', id: -1, step: 'warm-up', error: thrown(error) }),
);
