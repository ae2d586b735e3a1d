/**
 * What a live-patching runtime asks of the CPUs around it while it patches text: the emulator's
 * SMP layer (smp/) answers; without it the machine is one CPU that needs no rendezvous.
 */
export interface PatchingHooks {
  /**
   * Xen's quiesce: brings every other CPU to the rendezvous within `timeoutNs` of guest time;
   * returns the CPUs that never arrived. Between this and `release` the CPUs spin with
   * interrupts off and the NMI callback masked.
   */
  quiesce(timeoutNs: number): ReadonlySet<number>;
  release(): void;
  /** CPUs online, the patching one included. */
  readonly cpus: number;
  /** The CPU whose code runs now (what a register dump names). */
  readonly runningCpu: number;
}
