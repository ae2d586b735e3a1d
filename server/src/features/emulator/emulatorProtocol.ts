import type { Limits } from '../../limits';
import type { EmulatorCommandResult, EmulatorState, RuntimeName } from '../../protocol';

/** What the emulator worker is started with (its workerData). */
export interface EmulatorWorkerData {
  limits: Limits;
}

/** One command of a runtime's session; `target` boots it on the first. */
export interface EmulatorRequest {
  id: number;
  target: string;
  argv: string[];
  /** Default xen. */
  runtime?: RuntimeName;
  redirect?: { path: string; append: boolean };
  /** The command as written (a `run` line); default the words. */
  text?: string;
  /** Where relative paths are read from (a scenario file's folder); default the server's working directory. */
  baseDir?: string;
}

export type EmulatorReply = { id: number; result: EmulatorCommandResult; state: EmulatorState } | { id: number; error: string };
