import { FaultKind, GuestFault } from '../faults';
import { Machine } from '../machine';
import { Memory } from '../memory';
import { XenConsole } from './console';
import { showExecutionState } from './executionState';
import { runInExceptionHandler } from './runInExceptionHandler';
import { BUG_FRAME_SIZE, EX_ENTRY_SIZE, findTextRegion, VirtualRegion } from './virtualRegion';
import { fatalTrap, TrapVector, trapVector, udInstruction, X86_EFLAGS_IF } from './fatalTrap';

// Xen 4.17's hypervisor-context exception handlers (xen/arch/x86/traps.c, extable.c) on the
// emulated CPU: do_invalid_op()'s bug frames (run_fn calls its function and goes on, WARN goes
// on, BUG and ASSERT panic), the exception-table fixups of #PF, #GP, #DE and #UD, looked up in
// the virtual region the RIP is in (the hypervisor's, or a payload's), and the panic of a #UD
// or #DE that neither takes. Anything else (a #PF without a fixup, an instruction the emulator
// lacks) ends the run as before.

const BUGFRAME_run_fn = 0;
const BUGFRAME_warn = 1;
const BUGFRAME_bug = 2;
const BUGFRAME_assert = 3;
/** The emulator's faults Xen's handlers send to the exception table: #PF, #GP, #DE, and #UD (the emulator's `bug` is a ud2). */
const FIXABLE: ReadonlySet<FaultKind> = new Set(['page-fault', 'general-protection', 'divide-error', 'invalid-opcode', 'bug']);
const BUG_LINE_LO_WIDTH = 7;
const LINE_MASK = (1 << BUG_LINE_LO_WIDTH) - 1;

/** Where the hypervisor's handlers find the regions, and what counts as its own memory or a payload's (is_kernel, is_patch). */
export interface TrapEnvironment {
  regions(): VirtualRegion[];
  /** is_kernel() || is_patch(): a bug frame's strings must lie in the image or a payload. */
  ownMemory(address: bigint): boolean;
  /** The function of BANNER_CALLS an applied payload replaced with code around `rip`, if any. */
  bannerReplacedAround(rip: bigint): string | undefined;
  /** Whether the trapping CPU had interrupts off (the patching CPU during an action): RFLAGS.IF is clear then. */
  interruptsOff(): boolean;
}

/** Makes the machine's faults go through Xen's handlers first. */
export function installXenTraps(machine: Machine, console: XenConsole, env: TrapEnvironment): void {
  machine.trapHandler = (fault, rip) => xenTrap(machine, console, env, fault, rip);
}

function xenTrap(machine: Machine, console: XenConsole, env: TrapEnvironment, fault: GuestFault, rip: bigint): bigint | GuestFault | undefined {
  // Xen's printk from the trap, in order with the guest's own: raw where the guest's output gets its prefix from the console.
  const printk = (line: string): void => machine.print(`${console.guestPrefix ? '' : '(XEN) '}${line}\n`);
  const region = findTextRegion(env.regions(), rip);
  if (!region) return undefined;
  const vector = trapVector(machine.memory, fault, rip);
  if (vector === TrapVector.UD && udInstruction(machine.memory, rip) === 'ud2') {
    const frame = findBugFrame(machine.memory, region, rip);
    const taken = frame && takeBugFrame(machine, printk, env, frame, rip, console);
    if (taken !== undefined) return taken;
  }
  const fixup = FIXABLE.has(fault.kind) ? searchExceptionTable(machine.memory, region, rip) : undefined;
  if (fixup !== undefined || vector === undefined) return fixup;
  return die(machine, printk, env, console, rip, fatalTrap(vector, trappedRflags(machine, env)));
}

const s32 = (memory: Memory, address: bigint): bigint => BigInt(memory.readU32(address) | 0);
const s24 = (word: number): bigint => BigInt((word << 8) >> 8);

interface FoundFrame {
  type: number;
  address: bigint;
}

/** The frame of any type whose ud2 is at `rip` (bug_loc(b) == eip). */
function findBugFrame(memory: Memory, region: VirtualRegion, rip: bigint): FoundFrame | undefined {
  for (const [type, table] of region.frames.entries()) {
    for (let i = 0; table && i < table.count; i++) {
      const address = table.address + BigInt(i) * BUG_FRAME_SIZE;
      if (address + s24(memory.readU32(address)) === rip) return { type, address };
    }
  }
  return undefined;
}

/** bug_line(): 7 bits above each displacement, each carrying the borrow of a negative displacement. */
function bugLine(memory: Memory, frame: bigint): number {
  const [loc, ptr] = [memory.readU32(frame), memory.readU32(frame + 4n)];
  const hi = ((loc >>> 24) + (s24(loc) < 0n ? 1 : 0)) & LINE_MASK;
  const lo = ((ptr >>> 24) + (s24(ptr) < 0n ? 1 : 0)) & LINE_MASK;
  return (hi << BUG_LINE_LO_WIDTH) + lo;
}

/** run_fn: its function, then on after the ud2; WARN: the message and registers, then on; BUG, ASSERT: the same, then panic. */
function takeBugFrame(
  machine: Machine,
  printk: (line: string) => void,
  env: TrapEnvironment,
  frame: FoundFrame,
  rip: bigint,
  console: XenConsole,
): bigint | GuestFault | undefined {
  const memory = machine.memory;
  const pointer = frame.address + s24(memory.readU32(frame.address + 4n));
  if (frame.type === BUGFRAME_run_fn) return runInExceptionHandler(machine, pointer, rip, trappedRflags(machine, env));
  if (frame.type !== BUGFRAME_warn && frame.type !== BUGFRAME_bug && frame.type !== BUGFRAME_assert) return undefined;
  const filenameAt = pointer;
  if (!env.ownMemory(filenameAt)) return undefined;
  let filename = memory.readCString(filenameAt);
  let prefix = '';
  if (filename.length > 50) {
    filename = filename.slice(filename.length - 47);
    prefix = '...';
  }
  const where = `${prefix}${filename}:${bugLine(memory, frame.address)}`;
  const messageAt = frame.address + s32(memory, frame.address + 12n);
  const predicate = (): string => (env.ownMemory(messageAt) ? memory.readCString(messageAt) : '<unknown>');
  const message = frame.type === BUGFRAME_warn ? `Xen WARN at ${where}` : frame.type === BUGFRAME_bug ? `Xen BUG at ${where}` : `Assertion '${predicate()}' failed at ${where}`;
  const banner = env.bannerReplacedAround(rip);
  if (banner) return recursiveReport(printk, console, message, banner);
  printk(message);
  if (frame.type !== BUGFRAME_warn) return die(machine, printk, env, console, rip, message);
  showExecutionState(machine, printk, rip, trappedRflags(machine, env));
  return rip + 2n;
}

/** show_execution_state(), then panic(message): the banner follows once the caller has put this run's output on the console. */
function die(machine: Machine, printk: (line: string) => void, env: TrapEnvironment, console: XenConsole, rip: bigint, message: string): GuestFault {
  showExecutionState(machine, printk, rip, trappedRflags(machine, env));
  console.pendingPanic ??= message;
  return new GuestFault('panic', message);
}

/** The CPU reports IF set; Xen's action runs with it clear. */
function trappedRflags(machine: Machine, env: TrapEnvironment): number {
  const rflags = machine.cpu.state.rflags();
  return env.interruptsOff() ? rflags & ~X86_EFLAGS_IF : rflags;
}

/**
 * The report's banner calls the replaced function, whose replacement traps again: every report
 * starts another until the stack overflows into the double-fault handler, whose own report
 * does the same (a real Xen 4.17 prints `*** DOUBLE FAULT ***` for ever). Shown once each.
 */
function recursiveReport(printk: (line: string) => void, console: XenConsole, first: string, banner: string): GuestFault {
  const message = 'DOUBLE FAULT -- system shutdown';
  printk(first);
  printk('*** DOUBLE FAULT ***');
  console.pendingPanic ??= message;
  return new GuestFault(
    'panic',
    `${message}: the register dump after \`${first}\` prints its banner with ${banner}(), which this payload replaced with the code that trapped, so each report traps again until the stack overflows`,
  );
}

/** search_exception_table(): the fixup of the entry for `rip` in its region's table (entries are `s32 addr, s32 cont`, each relative to itself). */
function searchExceptionTable(memory: Memory, region: VirtualRegion, rip: bigint): bigint | undefined {
  for (let i = 0; region.ex && i < region.ex.count; i++) {
    const entry = region.ex.address + BigInt(i) * EX_ENTRY_SIZE;
    if (entry + s32(memory, entry) === rip) return entry + 4n + s32(memory, entry + 4n);
  }
  return undefined;
}
