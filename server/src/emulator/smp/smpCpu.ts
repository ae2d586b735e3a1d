import { SavedRegisters, Task } from '../tasks';

/** A function a CPU runs, once or over and over (`run CPU FUNCTION [ARGS] --loop`). */
export interface Job {
  address: bigint;
  name: string;
  args: bigint[];
  loop: boolean;
}

/** NMI and #MC; the timer tick and the call-function IPI (maskable: held while IRQs are off); #BP, an int3. */
export type InterruptKind = 'nmi' | 'mce' | 'timer' | 'ipi' | 'bp';

/** The registers an interrupt saved on entry, for the emulated iret to put back. */
export interface InterruptFrame extends SavedRegisters {
  kind: InterruptKind;
}

/**
 * One emulated CPU beside CPU 0 (which runs the scenario's commands and the patching code):
 * its own task (registers and stack), per-CPU area, interrupt flag and NMI latch, the job it
 * runs and what that job's calls returned.
 */
export class SmpCpu {
  job: Job | undefined;
  /** A call of the job is under way on the task (stopped at the end of a time slice). */
  inCall = false;
  /** Guest time of this CPU: instructions run, and host steps of the patching code (CPU 0). */
  ticks = 0;
  calls = 0;
  /** How often each result came back: `0x... "text"` -> count. */
  readonly results = new Map<string, number>();
  irqs = true;
  /** Inside an NMI handler until its iret: another NMI waits (one, as the hardware holds it). */
  nmiLatched = false;
  nmiPending = false;
  /** Timer ticks and IPIs raised while interrupts were off, taken at the next sti. */
  readonly heldIrqs: ('timer' | 'ipi')[] = [];
  /** The tick of this CPU's next timer interrupt (`--timer`). */
  nextTimer = Infinity;
  lostNmis = 0;
  /** Hits on the int3 of a text_poke_bp in flight, each emulated by poke_int3_handler. */
  trapHits = 0;
  /** Spinning in Xen's rendezvous with interrupts off. */
  spinning = false;
  /** Where it was when the last rendezvous started, for `dump`. */
  atRendezvous: string | undefined;
  readonly frames: InterruptFrame[] = [];
  readonly events: { kind: InterruptKind; at: number }[] = [];

  constructor(
    readonly id: number,
    readonly task: Task,
    /** Its MSR_GS_BASE: the per-CPU area (offset) its %gs-relative reads go to. */
    readonly gsBase: bigint,
  ) {}
}
