import { FaultKind, GuestFault } from '../faults';
import { Memory } from '../memory';
import { Helpers } from './helpers';
import { CpuState } from './state';

/** What generated code calls back into: the machine around the CPU. */
export interface CpuHooks {
  /** After a call pushed its return address (the shadow call stack). */
  call(targetLo: number, targetHi: number, returnLo: number, returnHi: number): void;
  /** After a ret popped its return address. */
  ret(): void;
  /** A system instruction (cpuid, rdtsc, privileged ones): emulate it or throw a fault. */
  system(mnemonic: string): void;
  /** Runs the native bound to a stub address. */
  native(id: number): void;
  fault(kind: FaultKind, message: string): GuestFault;
  /**
   * An exception the guest's own handler may take (a WARN's bug frame, an exception-table
   * fixup): the address execution goes on at, a fault that ends the run instead (a BUG's
   * panic), or undefined to let this one end it.
   */
  trap?(fault: GuestFault, rip: bigint): bigint | GuestFault | undefined;
  /** An int3: true when a handler took it (RIP is now the handler's), else it faults. */
  breakpoint(nextLo: number, nextHi: number): boolean;
}

/**
 * Runs the block; returns how many instructions ran (fewer than its length after a side exit or
 * a write to code; a multiple of it when it loops, at most `lim`).
 */
export type BlockCode = (c: CpuState, m: Memory, L: Int32Array, H: Int32Array, A: Helpers, X: CpuHooks, lim: number) => number;

/** A run of decoded instructions compiled into one function; it leaves RIP at the next block. */
export interface Block {
  code: BlockCode;
  count: number;
  /** Address of each instruction, as (lo, hi) pairs, for fault reports and tracing. */
  ipLo: number[];
  ipHi: number[];
  /** Disassembly of each instruction, filled for single-step blocks only. */
  text?: string[];
}
