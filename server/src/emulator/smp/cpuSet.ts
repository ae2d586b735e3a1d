import type { GuestFault } from '../faults';
import type { CallResult, Machine } from '../machine';
import type { SmpCpu } from './smpCpu';

export type PokeProtocol = 'xen' | 'linux' | 'naive';
export const pokeProtocols: readonly PokeProtocol[] = ['xen', 'linux', 'naive'];

/** A text write in flight, as an interrupt arriving during it names it. */
export interface WriteInFlight {
  where(): string;
}

/**
 * What the text-write protocols and the interrupt delivery ask of the CPUs (Smp implements it):
 * they are run by the scheduler, and the scheduler by them, so they name this, not the class.
 */
export interface CpuSet {
  readonly machine: Machine;
  readonly protocol: PokeProtocol;
  readonly seed: number;
  /** The CPU whose code runs now. */
  running: SmpCpu;
  write: WriteInFlight | undefined;
  /** Xen's arch_livepatch_mask(): the NMI callback swallows NMIs. */
  masked: boolean;
  /** The other CPUs are held in the rendezvous: they run nothing while the text is written. */
  readonly holding: boolean;
  /** The protocols' IPIs go to the target's handler (`--ipi`). */
  readonly ipis: boolean;
  note(line: string): void;
  noteOnce(line: string): void;
  faulted(cpu: SmpCpu, fault: GuestFault): void;
  on<T>(cpu: SmpCpu, run: () => T): T;
  callOn(cpu: SmpCpu, address: bigint): CallResult;
  known(): SmpCpu[];
  round(): void;
  hostStep(): void;
}
