const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waiting on QEMU (its QMP socket to appear, a migration to end, an incoming state to be read):
 * `attempt` again every `pollMs` until it gives a value other than undefined. A try that gives
 * none once `timeoutMs` have passed throws what `late()` makes; an error `attempt` throws ends the
 * wait at once.
 */
export async function pollUntil<T>(timeoutMs: number, attempt: () => Promise<T | undefined>, late: () => Error, pollMs = 50): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (performance.now() > until) throw late();
    await sleep(pollMs);
  }
}
