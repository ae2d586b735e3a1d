import { CpuHooks } from './block';
import { CpuState } from './state';

/** What a fetch sees of a code write in flight: nothing of it, a torn instruction, or the writer's int3 trap. */
export type FetchVerdict = 'torn' | 'trap' | undefined;

/**
 * Watches the bytes of a live patch while they are being written, as the decoder fetches
 * instructions. The block cache asks at decode time (every write drops the page's blocks, so the
 * answer stays true for the bytes a block holds); the instruction itself calls `enter` when it
 * runs, so the CPU that runs it is the one named.
 */
export interface FetchGuard {
  inspect(ip: bigint, bytes: Uint8Array): FetchVerdict;
  /** Runs a torn instruction (throws its fault) or the trap (emulates the instruction being written). */
  enter(verdict: 'torn' | 'trap', ip: bigint, bytes: Uint8Array, text: string, c: CpuState, hooks: CpuHooks): void;
}
