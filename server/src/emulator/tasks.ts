import { fromPair } from './addr';
import { CpuState } from './cpu/state';

/**
 * One entry of a task's shadow call stack: a call that has not returned yet. Kept as int32
 * halves because a frame is pushed on every guest call; the BigInt views are for readers.
 */
export class Frame {
  constructor(
    /** The called address (moved when a thunk or an ftrace redirect moves the call). */
    public targetLo: number,
    public targetHi: number,
    /** Where the call returns to, in the caller. */
    readonly returnLo: number,
    readonly returnHi: number,
    /** Where the return address sits on the guest stack. */
    readonly slotLo: number,
    readonly slotHi: number,
  ) {}

  get target(): bigint {
    return fromPair(this.targetLo, this.targetHi);
  }

  get returnAddress(): bigint {
    return fromPair(this.returnLo, this.returnHi);
  }
}

export type TaskState = 'idle' | 'running' | 'stopped';

interface SavedRegisters {
  lo: Int32Array;
  hi: Int32Array;
  ripLo: number;
  ripHi: number;
  status: number;
  df: number;
}

/**
 * A guest thread of execution with its own stack and shadow call stack, so a runtime can leave
 * one task sleeping inside a function while others run, and then inspect or resume it.
 */
export class Task {
  state: TaskState = 'idle';
  readonly frames: Frame[] = [];
  /** What stopped the task when it is 'stopped' (the reason a native gave). */
  stopReason: string | undefined;
  private saved: SavedRegisters | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Lowest mapped stack address. */
    readonly stackBase: bigint,
    /** Initial stack pointer (16-byte aligned, just above the stack). */
    readonly stackTop: bigint,
  ) {}

  save(c: CpuState): void {
    this.saved = { lo: c.lo.slice(), hi: c.hi.slice(), ripLo: c.ripLo, ripHi: c.ripHi, status: c.status(), df: c.df };
  }

  restore(c: CpuState): void {
    const s = this.saved;
    if (!s) {
      c.lo.fill(0);
      c.hi.fill(0);
      return;
    }
    c.lo.set(s.lo);
    c.hi.set(s.hi);
    c.ripLo = s.ripLo;
    c.ripHi = s.ripHi;
    c.setBits(s.status);
    c.df = s.df;
  }

  /** Forgets everything on the stack, after a fault or when a call ends. */
  reset(): void {
    this.frames.length = 0;
    this.state = 'idle';
    this.stopReason = undefined;
  }
}
