import { Machine } from '../machine';

/** The per-CPU area's size (one CPU). */
const PERCPU_SIZE = 0x10000n;
/** Where gcc's -mcmodel=kernel stack protector reads the canary: %gs:40 (fixed_percpu_data.stack_canary). */
const STACK_CANARY_OFFSET = 40n;

export interface PerCpu {
  /** The %gs base of CPU 0. */
  base: bigint;
  canary: bigint;
}

/**
 * CPU 0's per-CPU area: %gs points at it, as the kernel's does after setup_per_cpu_areas, so
 * module code built with the stack protector (`mov %gs:40,%rax`) reads a canary there.
 */
export function installPerCpu(machine: Machine): PerCpu {
  const base = machine.allocate(PERCPU_SIZE, 'per-CPU area of CPU 0');
  // A fixed canary: runs stay reproducible; its low byte is 0, like get_random_canary's.
  const canary = 0x5a17c0de1e550000n;
  machine.memory.writeU64(base + STACK_CANARY_OFFSET, canary);
  const c = machine.cpu.state;
  c.gsLo = Number(BigInt.asIntN(32, base & 0xffffffffn));
  c.gsHi = Number(BigInt.asIntN(32, base >> 32n));
  return { base, canary };
}
