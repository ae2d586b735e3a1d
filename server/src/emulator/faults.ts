import { howToRaise, limits } from '../limits';

// What ends a guest run other than a normal return. The host is never at risk: every problem the
// guest causes becomes one of these, with enough context to name the instruction and the access.

export type FaultKind =
  'page-fault' | 'divide-error' | 'invalid-opcode' | 'bug' | 'panic' | 'breakpoint' | 'privileged' | 'general-protection' | 'budget' | 'timeout' | 'native-error' | 'torn-write';

export type Access = 'read' | 'write' | 'execute';

export interface FaultDetail {
  /** The faulting data or code address, for page faults. */
  address?: bigint;
  access?: Access;
}

/**
 * Raised inside the CPU, memory or a native. The run loop adds the instruction pointer, the
 * symbolized location and the backtrace before the report leaves the machine.
 */
export class GuestFault extends Error {
  rip?: bigint;
  location?: string;
  backtrace: string[] = [];
  instructions?: number;

  constructor(
    readonly kind: FaultKind,
    readonly detail: string,
    readonly info: FaultDetail = {},
  ) {
    super(detail);
    this.name = 'GuestFault';
  }

  /** A multi-line report for people: what happened, where, and the guest call stack. */
  report(): string {
    const where = this.location ?? (this.rip !== undefined ? `0x${this.rip.toString(16)}` : 'unknown location');
    const lines = [`guest fault (${this.kind}) at ${where}: ${this.detail}`];
    if (this.instructions !== undefined) lines.push(`after ${this.instructions} instructions`);
    if (this.backtrace.length) lines.push('call stack (innermost first):', ...this.backtrace.map((f) => `  ${f}`));
    return lines.join('\n');
  }
}

/** Raised for host-side misuse of the machine API (unknown symbol, bad argument). */
export class EmulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorError';
  }
}

/**
 * A mapping the guest memory limit cannot hold, or one past the top of the address space: names
 * what asked for it (a section of a payload, a task's stack), the bytes, and what is left.
 */
export class GuestMemoryError extends EmulatorError {
  constructor(
    readonly what: string,
    readonly bytes: bigint,
    readonly available: bigint,
    message = `${what} needs ${bytes} bytes of guest memory, but only ${available} of the ${limits().guestMemoryBytes}-byte limit are left (${howToRaise('guestMemoryBytes')})`,
  ) {
    super(message);
    this.name = 'GuestMemoryError';
  }
}

export function addressSpaceExhausted(what: string, start: bigint, bytes: bigint): GuestMemoryError {
  return new GuestMemoryError(what, bytes, 0n, `${what}: ${bytes} bytes at 0x${start.toString(16)} would run past the top of the 64-bit address space`);
}
