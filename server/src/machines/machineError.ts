/** The machine could not be built or booted, died, ran out of time or was cancelled: no result can come from it. */
export class MachineError extends Error {}
