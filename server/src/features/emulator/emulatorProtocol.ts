import type { Limits } from '../../limits';
import type { EmulatorCommandResult, EmulatorState } from '../../protocol';

/** What the emulator worker is started with (its workerData). */
export interface EmulatorWorkerData {
  limits: Limits;
}

/** One command of the session; `target` boots the hypervisor on the first. */
export interface EmulatorRequest {
  id: number;
  target: string;
  argv: string[];
}

export type EmulatorReply = { id: number; result: EmulatorCommandResult; state: EmulatorState } | { id: number; error: string };
