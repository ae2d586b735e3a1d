import { fromPair, hiOf, loOf } from '../addr';
import { GuestFault } from '../faults';
import { Machine } from '../machine';
import { callFromHandler, handlerDepth, MAX_HANDLER_DEPTH } from './handlerCalls';

// run_in_exception_handler(fn) of Xen 4.17 (a BUGFRAME_run_fn frame): do_invalid_op() calls
// fn(regs) with the trapped registers, then goes on after the ud2 with the registers as fn left
// them (only the RIP is Xen's: the ud2's end).

/** x86-64 `struct cpu_user_regs` (public/arch-x86/xen-x86_64.h): r15 down to rdi, then the private and the frame words. */
const REGS_SIZE = 200n;
/** The emulator's register numbers (rax 0, rcx 1, rdx 2, rbx 3, rsp 4, rbp 5, rsi 6, rdi 7, r8..r15) in the struct's order. */
const GPRS = [15, 14, 13, 12, 5, 3, 11, 10, 9, 8, 0, 1, 2, 6, 7];
const field = { errorCode: 120n, entryVector: 124n, rip: 128n, cs: 136n, rflags: 144n, rsp: 152n } as const;
/** Xen's hypervisor code segment: the `e008:` of a register dump. */
const XEN_CS = 0xe008;
const TRAP_invalid_op = 6;

const scratch = new WeakMap<Machine, bigint>();

/** Calls fn(regs) for the ud2 at `rip` (trapped with `rflags`); returns where the trapped code goes on, or the fault fn ended with. */
export function runInExceptionHandler(machine: Machine, fn: bigint, rip: bigint, rflags: number): bigint | GuestFault {
  let block = scratch.get(machine);
  if (block === undefined) scratch.set(machine, (block = machine.allocate(REGS_SIZE * BigInt(MAX_HANDLER_DEPTH), 'struct cpu_user_regs of do_invalid_op')));
  const regs = block + BigInt(Math.min(handlerDepth(machine), MAX_HANDLER_DEPTH - 1)) * REGS_SIZE;
  const memory = machine.memory;
  const c = machine.cpu.state;
  GPRS.forEach((r, i) => memory.writeU64(regs + BigInt(i * 8), fromPair(c.lo[r], c.hi[r])));
  memory.writeU32(regs + field.errorCode, 0);
  memory.writeU32(regs + field.entryVector, TRAP_invalid_op);
  memory.writeU64(regs + field.rip, rip);
  memory.writeU32(regs + field.cs, XEN_CS);
  memory.writeU64(regs + field.rflags, BigInt(rflags >>> 0));
  memory.writeU64(regs + field.rsp, fromPair(c.lo[4], c.hi[4]));
  const result = callFromHandler(machine, fn, [regs]);
  if (!result) return new GuestFault('panic', `run_in_exception_handler nested ${MAX_HANDLER_DEPTH} deep at ${machine.describe(rip)}: the handlers trap for ever`);
  if (result.status !== 'returned')
    return (
      result.fault ??
      new GuestFault('panic', `${machine.describe(fn)}, run in the exception handler of ${machine.describe(rip)}, did not return (${result.stopReason ?? 'stopped'})`)
    );
  GPRS.forEach((r, i) => {
    const value = memory.readU64(regs + BigInt(i * 8));
    c.lo[r] = loOf(value);
    c.hi[r] = hiOf(value);
  });
  return rip + 2n;
}
