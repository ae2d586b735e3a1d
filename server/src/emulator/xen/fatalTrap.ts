import { Decoder, DecoderError, DecoderOptions } from 'iced-x86';
import { GuestFault } from '../faults';
import { Memory } from '../memory';

// What Xen 4.17 panics with when hypervisor code takes an exception no bug frame or exception
// table entry handles (xen/arch/x86/traps.c): do_invalid_op()'s `die:` (#UD) and do_trap()'s
// fatal_trap() (#DE). Each prints show_execution_state() first; the wording is the one
// Debian's xen-syms holds and printed in QEMU. (do_general_protection()'s `GENERAL PROTECTION
// FAULT` has no counterpart: the emulator raises no #GP in hypervisor text, a non-canonical
// address is an unmapped page to it.)

export enum TrapVector {
  DE = 0,
  UD = 6,
}

export const X86_EFLAGS_IF = 0x200;

/** The exception a fault of the emulator is on hardware, when it is one Xen's handlers panic on; undefined for the rest. */
export function trapVector(memory: Memory, fault: GuestFault, rip: bigint): TrapVector | undefined {
  switch (fault.kind) {
    case 'bug':
      // The CPU's ud0/ud1/ud2; a native's own BUG (an allocator's double free) has none at its stub.
      return udInstruction(memory, rip) ? TrapVector.UD : undefined;
    case 'invalid-opcode':
      // Bytes that are no instruction; one the emulator does not implement is its own gap, not a #UD.
      return undefinedInstruction(memory, rip) ? TrapVector.UD : undefined;
    case 'divide-error':
      return TrapVector.DE;
    default:
      return undefined;
  }
}

/** The panic() message for `vector` with the trapped RFLAGS (neither pushes an error code: fatal_trap() prints 0000). */
export function fatalTrap(vector: TrapVector, rflags: number): string {
  switch (vector) {
    case TrapVector.UD:
      return `FATAL TRAP: vector = ${vector} (invalid opcode)`;
    case TrapVector.DE:
      return `FATAL TRAP: vec ${vector}, #DE[0000]${rflags & X86_EFLAGS_IF ? '' : ' IN INTERRUPT CONTEXT'}`;
  }
}

/** ud0, ud1 or ud2 (0f ff, 0f b9, 0f 0b) at `rip`. */
export function udInstruction(memory: Memory, rip: bigint): 'ud0' | 'ud1' | 'ud2' | undefined {
  const bytes = readable(memory, rip, 2);
  if (bytes?.[0] !== 0x0f) return undefined;
  return bytes[1] === 0x0b ? 'ud2' : bytes[1] === 0xb9 ? 'ud1' : bytes[1] === 0xff ? 'ud0' : undefined;
}

/** Bytes no decoder takes for an instruction (the longest is 15 bytes; fewer are readable at the end of a mapping). */
function undefinedInstruction(memory: Memory, rip: bigint): boolean {
  for (let length = 15; length > 0; length--) {
    const bytes = readable(memory, rip, length);
    if (!bytes) continue;
    const decoder = new Decoder(64, bytes, DecoderOptions.None);
    decoder.decode();
    return decoder.lastError === DecoderError.InvalidInstruction;
  }
  return false;
}

function readable(memory: Memory, address: bigint, length: number): Uint8Array | undefined {
  try {
    return memory.read(address, length);
  } catch {
    return undefined;
  }
}
