import { EmulatorError } from './faults';
import { Machine } from './machine';

// What a real image's per-CPU setup for its other CPUs needs of it, for Linux's and Xen's alike.

/** The address of `name` in the image at `file`, or an error saying what needs it. */
export function imageSymbol(machine: Machine, file: string, name: string, who: string): bigint {
  const found = machine.symbols.get(name);
  if (!found) throw new EmulatorError(`${file}: no symbol ${name} (${who} need it)`);
  return found.address;
}

/** cpumask_set_cpu(): bit `cpu` of the cpumask at `mask`, an array of 64-bit words on x86-64 Linux and Xen. */
export function setCpuBit(machine: Machine, mask: bigint, cpu: number): void {
  const word = mask + 8n * BigInt(cpu >> 6);
  machine.memory.writeU64(word, machine.memory.readU64(word) | (1n << BigInt(cpu & 63)));
}
