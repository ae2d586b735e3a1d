import { EmulatorError, GuestFault } from './faults';
import { Machine } from './machine';
import { jumpTo } from './xen/x86Patch';

/**
 * Makes the image's own function `name` run the native of that name: a `jmp` to its stub at the
 * function's entry, so callers inside the image and objects linked against it both reach it,
 * and a patch that redirects the function still replaces it. Returns false when the image has
 * no such function.
 */
export function bindNative(machine: Machine, name: string): boolean {
  const symbol = machine.symbols.get(name);
  if (!symbol || symbol.kind !== 'function' || symbol.image === 'natives') return false;
  if (symbol.size !== 0n && symbol.size < 5n) throw new EmulatorError(`${symbol.image}: ${name} is ${symbol.size} bytes, too small for the jump to its native`);
  const stub = machine.nativeAddress(name);
  if (stub === undefined) throw new EmulatorError(`no native named ${name}`);
  machine.memory.write(symbol.address, jumpTo(symbol.address, stub), { force: true });
  return true;
}

/** The system instructions the machine itself handles: its clock, swapgs, and rdmsr/wrmsr of the segment bases (MSR_FS_BASE..MSR_KERNEL_GS_BASE). */
const MACHINE_HANDLED = new Set(['rdtsc', 'rdtscp', 'swapgs']);
const SEGMENT_BASE_MSRS = [0xc0000100, 0xc0000101, 0xc0000102];

/**
 * For a real image: every system instruction the machine does not handle itself (port I/O, other
 * MSRs, control registers, hlt, cpuid) stops the call with a guest fault naming the function it
 * is in and the native that path would need; the fault's report carries the call stack.
 */
export function faultOnUnmodelledHardware(machine: Machine, docs: string): void {
  machine.systemHandler = (mnemonic) => {
    if (MACHINE_HANDLED.has(mnemonic)) return false;
    if ((mnemonic === 'rdmsr' || mnemonic === 'wrmsr') && SEGMENT_BASE_MSRS.includes(machine.cpu.state.lo[1] >>> 0)) return false;
    const [innermost] = machine.backtrace();
    const fn = innermost?.split(' ')[0]?.replace(/\+0x[0-9a-f]+$/, '') ?? 'the called function';
    throw new GuestFault('privileged', `${mnemonic} in ${fn}: hardware the emulator does not model; this path needs a native for ${fn} or one of its callers (${docs})`);
  };
}
