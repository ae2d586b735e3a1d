/** NSEC_PER_SEC. */
const NS_PER_SECOND = 1_000_000_000n;

/**
 * Guest time. It moves only when the kernel model advances it (`sleep`, a task waiting for a
 * timer): guest code runs in zero guest time, so runs are reproducible. jiffies count from the
 * kernel's INITIAL_JIFFIES (five minutes before wrapping 32 bits), as in include/linux/jiffies.h.
 */
export class GuestClock {
  private now = 0n;
  readonly initialJiffies: bigint;

  constructor(readonly hz: number) {
    this.initialJiffies = BigInt.asUintN(32, BigInt(-300 * hz));
  }

  /** Nanoseconds since boot. */
  get ns(): bigint {
    return this.now;
  }

  get jiffies(): bigint {
    return this.initialJiffies + (this.now * BigInt(this.hz)) / NS_PER_SECOND;
  }

  /** Guest time at a jiffies value (the start of that tick). */
  nsAtJiffies(jiffies: bigint): bigint {
    const ticks = jiffies - this.initialJiffies;
    return (ticks * NS_PER_SECOND + BigInt(this.hz) - 1n) / BigInt(this.hz);
  }

  /** msecs_to_jiffies(): rounds up, so a sleep is never shorter than asked. */
  msToJiffies(ms: bigint): bigint {
    return (ms * BigInt(this.hz) + 999n) / 1000n;
  }

  /** Moves time forward (never back). */
  set(ns: bigint): void {
    if (ns > this.now) this.now = ns;
  }
}
