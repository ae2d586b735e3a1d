import { fromPair, hiOf, loOf } from '../addr';
import { GuestFault } from '../faults';
import { Memory } from '../memory';
import { Block, CpuHooks } from './block';
import { BlockCache } from './blockCache';
import { helpers } from './helpers';
import { CpuState } from './state';

/**
 * Most instructions one call of a looping block may run: the run loop checks the wall clock every
 * 1024 calls, so this bounds the time between checks.
 */
const SLICE = 4096;

export interface RunLimits {
  /** Instructions this run may execute. */
  budget: number;
  /** Date.now() after which the run stops with a timeout fault. */
  deadline: number;
  /** At the end of the budget, stop with reason `slice` instead of faulting: a scheduler's time slice. */
  yieldOnBudget?: boolean;
}

/** The stop reason of a run whose time slice (yieldOnBudget) ran out. */
export const SLICE_END = 'slice';

/** Why a run stopped without a fault: a hook asked for it (a native, the host-return stub). */
export type StopRequest = { reason: string };

/**
 * The interpreter loop: looks up the compiled block at RIP, runs it, and repeats until a hook
 * requests a stop or a fault is thrown. Counts instructions exactly, also on faults.
 */
export class Cpu {
  readonly state = new CpuState();
  readonly cache: BlockCache;
  /** Total instructions executed by this CPU. */
  instructions = 0;
  /** When set, every instruction is executed alone and reported here before it runs. */
  trace: ((address: bigint, text: string) => void) | undefined;
  /** Inside `run`: a native (host code) is running on behalf of the guest. */
  busy = false;
  private stopRequest: StopRequest | undefined;

  constructor(
    readonly memory: Memory,
    private readonly hooks: CpuHooks,
    nativeAt: (lo: number, hi: number) => number | undefined,
  ) {
    this.cache = new BlockCache(memory, nativeAt);
  }

  /** Called by hooks: the run loop stops after the current block. */
  requestStop(reason: string): void {
    this.stopRequest = { reason };
  }

  /**
   * Runs until a stop request or a fault. Re-entrant: host code inside a run (a native, an
   * exception handler calling guest code) may run the guest again, and the outer run goes on
   * with its own stop request and state.
   */
  run(limits: RunLimits): StopRequest {
    // k and n place the outer block's faults: the native it is in the middle of must not move them.
    const c = this.state;
    const outer = { stop: this.stopRequest, busy: this.busy, k: c.k, n: c.n };
    try {
      return this.runToStop(limits);
    } finally {
      this.stopRequest = outer.stop;
      this.busy = outer.busy;
      c.k = outer.k;
      c.n = outer.n;
    }
  }

  private runToStop(limits: RunLimits): StopRequest {
    const c = this.state;
    const m = this.memory;
    const L = c.lo;
    const H = c.hi;
    const X = this.hooks;
    const A = helpers;
    const start = this.instructions;
    const end = start + limits.budget;
    let block: Block | undefined;
    let rounds = 0;
    this.stopRequest = undefined;
    m.dirty = false;
    this.busy = true;
    for (;;) {
      try {
        while (this.stopRequest === undefined) {
          const left = end - this.instructions;
          if (left <= 0) {
            if (!limits.yieldOnBudget) throw new GuestFault('budget', `instruction budget of ${limits.budget} exhausted (runaway loop?)`);
            this.stopRequest = { reason: SLICE_END };
            break;
          }
          const single = this.trace !== undefined;
          block = undefined;
          block = this.cache.lookup(c.ripLo, c.ripHi, single);
          if (block.count > left) block = this.cache.lookup(c.ripLo, c.ripHi, true);
          if (this.trace && block.text) this.trace(fromPair(c.ripLo, c.ripHi), block.text[0]);
          c.k = 0;
          c.n = 0;
          this.instructions += block.code(c, m, L, H, A, X, left < SLICE ? left : SLICE);
          if ((++rounds & 1023) === 0 && Date.now() > limits.deadline) {
            throw new GuestFault('timeout', `wall-clock limit reached after ${this.instructions - start} instructions`);
          }
        }
        break;
      } catch (error) {
        if (!(error instanceof GuestFault)) throw error;
        if (error.rip === undefined) {
          if (block && error.kind !== 'budget' && error.kind !== 'timeout') {
            error.rip = fromPair(block.ipLo[c.k], block.ipHi[c.k]);
            this.instructions += c.n + c.k;
          } else {
            error.rip = fromPair(c.ripLo, c.ripHi);
          }
        }
        // The guest's own exception handler may take it: execution goes on where it says, or
        // it ends the run with a fault of its own (a BUG's panic).
        const taken = error.kind === 'budget' || error.kind === 'timeout' ? undefined : X.trap?.(error, error.rip);
        if (typeof taken !== 'bigint') {
          const fault = taken ?? error;
          fault.rip ??= error.rip;
          fault.instructions = this.instructions - start;
          throw fault;
        }
        c.ripLo = loOf(taken);
        c.ripHi = hiOf(taken);
      }
    }
    return this.stopRequest;
  }
}
