import { fromPair, hiOf, loOf } from './addr';
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

/** A task's registers while another runs on its CPU (and an interrupt's frame). */
export interface SavedRegisters {
  lo: Int32Array;
  hi: Int32Array;
  ripLo: number;
  ripHi: number;
  status: number;
  df: number;
}

/** One copy for a task switch and an interrupt entry alike, so both keep the same registers. */
export function saveRegisters(c: CpuState): SavedRegisters {
  return { lo: c.lo.slice(), hi: c.hi.slice(), ripLo: c.ripLo, ripHi: c.ripHi, status: c.status(), df: c.df };
}

export function restoreRegisters(c: CpuState, s: SavedRegisters): void {
  c.lo.set(s.lo);
  c.hi.set(s.hi);
  c.ripLo = s.ripLo;
  c.ripHi = s.ripHi;
  c.setBits(s.status);
  c.df = s.df;
}

/**
 * A guest thread of execution with its own stack and shadow call stack, so a runtime can leave
 * one task sleeping inside a function while others run, and then inspect or resume it.
 */
export class Task {
  state: TaskState = 'idle';
  /** What stopped the task when it is 'stopped' (the reason a native gave). */
  stopReason: string | undefined;
  private saved: SavedRegisters | undefined;
  /** Where a call's return address goes (stackTop - 8), in halves, for the machine's call. */
  readonly topSlotLo: number;
  readonly topSlotHi: number;

  constructor(
    readonly id: number,
    readonly name: string,
    /** Lowest mapped stack address. */
    readonly stackBase: bigint,
    /** Initial stack pointer (16-byte aligned, just above the stack). */
    readonly stackTop: bigint,
    /** Its shadow call stack: the one of the guest stack it runs on. */
    readonly frames: Frame[] = [],
  ) {
    this.topSlotLo = loOf(stackTop - 8n);
    this.topSlotHi = hiOf(stackTop - 8n);
  }

  save(c: CpuState): void {
    // A task is switched out at every time slice: its copy of the registers is reused, not made again.
    const s = this.saved;
    if (!s) {
      this.saved = saveRegisters(c);
      return;
    }
    s.lo.set(c.lo);
    s.hi.set(c.hi);
    s.ripLo = c.ripLo;
    s.ripHi = c.ripHi;
    s.status = c.status();
    s.df = c.df;
  }

  restore(c: CpuState): void {
    const s = this.saved;
    if (!s) {
      c.lo.fill(0);
      c.hi.fill(0);
      return;
    }
    restoreRegisters(c, s);
  }

  /** Forgets everything on the stack, after a fault or when a call ends. */
  reset(): void {
    this.frames.length = 0;
    this.state = 'idle';
    this.stopReason = undefined;
  }
}

interface StackEntry {
  /** Bounds as exact doubles: canonical addresses are below 2^47 in magnitude as signed values. */
  low: number;
  high: number;
  frames: Frame[];
}

/** A 64-bit address as the signed double the stack check compares (exact for canonical addresses). */
function signedNumber(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

/**
 * The guest stacks the machine knows, each with its own shadow call stack. A guest scheduler
 * that moves %rsp to another task's stack (switch_to) leaves the frames of the task it put to
 * sleep on that task's stack, and finds the frames of the task it resumes: so the functions on a
 * sleeping task's stack are known exactly.
 */
export class GuestStacks {
  private readonly entries: StackEntry[] = [];

  /** Registers [low, high) as one stack and returns its shadow call stack. */
  add(low: bigint, high: bigint, frames: Frame[] = []): Frame[] {
    const entry = { low: signedNumber(low), high: signedNumber(high), frames };
    const at = this.entries.findIndex((e) => e.low > entry.low);
    if (at < 0) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
    return frames;
  }

  /**
   * The stack `sp` points into, or the gap between known stacks (frames undefined). A stack
   * holds (low, high]: %rsp at `high` is its empty state (a new task's first instruction).
   */
  find(sp: number): { low: number; high: number; frames: Frame[] | undefined } {
    let lo = 0;
    let hi = this.entries.length - 1;
    let below = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].low < sp) {
        below = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const entry = below >= 0 ? this.entries[below] : undefined;
    if (entry && sp <= entry.high) return entry;
    const next = this.entries[below + 1];
    return { low: entry ? entry.high : -Infinity, high: next ? next.low : Infinity, frames: undefined };
  }

  /** The shadow call stack of the stack that holds `address`, if it is a known stack. */
  framesAt(address: bigint): Frame[] | undefined {
    return this.find(signedNumber(address)).frames;
  }
}
