import type { GuestFault } from '../faults';
import type { CallResult, Machine } from '../machine';
import type { GuestClock } from './clock';
import type { Ftrace } from './ftrace';
import type { KernelFs } from './fs';
import type { GuestCode } from './guestCode';
import type { KernelHeap } from './heap';
import type { KernelModule } from './kernelModule';
import type { KernelTask, KernelTasks } from './kernelTasks';
import type { ModuleAbi } from './moduleAbi';
import type { TargetLayout } from './layout';
import type { KernelLog } from './log';
import type { PerCpu } from './percpu';
import type { Timers } from './timers';

// What the kernel model offers the pieces it is built from (natives, the module loader, /proc,
// ftrace, the livepatch port). LinuxKernel implements it and builds those pieces; they see only
// this, so none of them depends on the file that assembles them.

export interface LinuxKernelOptions {
  /** CONFIG_HZ: jiffies per second (default: the target's `hz` variable, else 250, Debian's). */
  hz?: number;
  /** The kernel's vermagic: a module whose vermagic differs is refused. Default: any is accepted. */
  vermagic?: string;
  /** The module ABI of a real kernel build the model stands for (moduleAbi.ts); the sample kernel's rules without one. */
  abi?: ModuleAbi;
  /** Guest seconds a system call (insmod, rmmod, cat) may sleep before it is reported stuck. */
  syscallLimitSeconds?: number;
}

/** The outcome of a system call run in its own process (insmod's init_module, cat's read). */
/** The signal oops_end() kills a task with: SIGKILL after a page fault in the kernel (page_fault_oops), SIGSEGV after die(). */
export type OopsSignal = 'SIGKILL' | 'SIGSEGV';

/** A system call's end: its return value, or why its process never returned (killed by an oops: `signal`; left asleep: none). */
export type SyscallResult = { status: 'returned'; value: bigint; pid: number } | { status: 'failed'; message: string; signal?: OopsSignal };

/** After an oops: what faulted, on which task. */
export interface Oops {
  fault: GuestFault;
  pid: number;
  comm: string;
}

/** A notifier on module state changes; a coming hook may refuse the module with a negative errno. */
export type ModuleHook = (mod: KernelModule) => number | void;

/** The loaded modules, as the natives, /proc and the livepatch core look them up. */
export interface ModuleList {
  readonly taints: number;
  list(): readonly KernelModule[];
  get(name: string): KernelModule | undefined;
  containing(address: bigint): KernelModule | undefined;
  load(file: string, bytes: Uint8Array, args?: string[]): KernelModule;
  remove(mod: KernelModule): void;
  onComing(hook: ModuleHook): void;
  onGoing(hook: ModuleHook): void;
}

export interface KernelServices {
  readonly machine: Machine;
  readonly targetPath: string;
  readonly layout: TargetLayout;
  readonly clock: GuestClock;
  readonly options: LinuxKernelOptions;
  readonly log: KernelLog;
  readonly timers: Timers;
  readonly fs: KernelFs;
  readonly heap: KernelHeap;
  readonly guestCode: GuestCode;
  readonly percpu: PerCpu;
  readonly ftrace: Ftrace;
  readonly tasks: KernelTasks;
  readonly modules: ModuleList;
  readonly HZ: number;
  /** The task an emulator `call` runs as, in atomic context (it must not sleep). */
  atomicAs: KernelTask | undefined;
  symbol(name: string): bigint;
  callAtomic(fn: string | bigint, args?: bigint[]): CallResult;
  syscall(comm: string, fn: bigint, args?: bigint[]): SyscallResult;
}
