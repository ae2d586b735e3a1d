interface Timer {
  id: number;
  at: bigint;
  fn: () => void;
}

/**
 * Host callbacks at points of guest time: the kernel model's timer wheel. Timers due at the same
 * time fire in the order they were added, as the kernel's timer list runs them.
 */
export class Timers {
  private pending: Timer[] = [];
  private nextId = 1;

  /** Calls `fn` when guest time reaches `atNs`; returns an id for `cancel`. */
  add(atNs: bigint, fn: () => void): number {
    const timer = { id: this.nextId++, at: atNs, fn };
    const index = this.pending.findIndex((t) => t.at > atNs);
    if (index < 0) this.pending.push(timer);
    else this.pending.splice(index, 0, timer);
    return timer.id;
  }

  /** Forgets a timer; returns whether it was still pending (del_timer's result). */
  cancel(id: number): boolean {
    const index = this.pending.findIndex((t) => t.id === id);
    if (index < 0) return false;
    this.pending.splice(index, 1);
    return true;
  }

  isPending(id: number): boolean {
    return this.pending.some((t) => t.id === id);
  }

  /** When the earliest timer is due, if any. */
  next(): bigint | undefined {
    return this.pending[0]?.at;
  }

  /** Takes the earliest timer if it is due at or before `ns`. */
  takeDue(ns: bigint): (() => void) | undefined {
    const first = this.pending[0];
    if (!first || first.at > ns) return undefined;
    this.pending.shift();
    return first.fn;
  }
}
