// No `vscode` import here: unit tests load this file in plain Node.

/** What the client does when the server process goes away without being asked to. */
export type CrashDecision = { restart: true; restarts: number } | { restart: false; crashes: number };

/**
 * Bounded restarts: a server that dies now and then is brought back, one that dies on every
 * start (a payload that kills it each time the session is replayed, a broken install) is not
 * restarted for ever. At most `maxRestarts` restarts within `windowMs`; older crashes are
 * forgiven, so a long session survives an occasional fault.
 */
export class RestartPolicy {
  private crashTimes: number[] = [];
  private restarts = 0;

  constructor(
    readonly maxRestarts = 5,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  onCrash(): CrashDecision {
    const time = this.now();
    this.crashTimes = [...this.crashTimes.filter((t) => time - t < this.windowMs), time];
    if (this.crashTimes.length > this.maxRestarts) return { restart: false, crashes: this.crashTimes.length };
    this.restarts++;
    return { restart: true, restarts: this.restarts };
  }

  /** The user started the server again: a fresh count. */
  reset(): void {
    this.crashTimes = [];
    this.restarts = 0;
  }
}
