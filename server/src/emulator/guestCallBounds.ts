/**
 * What one piece of guest code the runtime runs on the guest's behalf (a payload's hook, an
 * interrupt handler) may take before it is stopped and named: its instructions and wall clock.
 */
export const guestCallBounds = { budget: 20_000_000, timeoutMs: 5_000 } as const;
