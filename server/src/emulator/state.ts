import type { RuntimeName } from '../scenario/dialect';

/**
 * What the editor shows of an emulator session, one shape per runtime, keyed by `runtime`
 * (protocol.ts sends it as `livepatch/emulatorState`). Plain data: strings, numbers, booleans.
 */
export type EmulatorState = XenEmulatorState | LinuxEmulatorState;

/** The emulated hypervisor: its payloads, their per-function state and bytes, the build-id stack. */
export interface XenEmulatorState {
  runtime: 'xen';
  target: string;
  /** Undefined until the hypervisor boots (or when it cannot). */
  buildId?: string;
  /** Why the hypervisor panicked; it refuses everything but `reset` until then. */
  panicked?: string;
  /** Applied payloads, bottom of the build-id stack first. */
  appliedStack: string[];
  payloads: EmulatorPayloadState[];
  /** The CPUs, once anything ran on another CPU or an interrupt was raised (what `dump` lists). */
  cpus?: EmulatorCpusState;
}

/** The machine's CPUs as `dump` shows them: the scheduler's seed, how text is written, and each CPU made so far. */
export interface EmulatorCpusState {
  count: number;
  seed: number;
  poke: 'xen' | 'linux' | 'naive';
  cpus: EmulatorCpuState[];
}
export interface EmulatorCpuState {
  id: number;
  /** `function+0x..` when a call of its job is under way on it; absent between calls, and for CPU 0 (it runs the commands). */
  where?: string;
  /** The function its job calls (`run CPU FUNCTION`); none: CPU 0 runs the commands, another CPU is idle. */
  job?: string;
  /** The job calls its function over and over (`--loop`). */
  loop: boolean;
  /** Calls of the job that returned. */
  calls: number;
  /** The interrupt flag. */
  irqs: boolean;
  /** The NMI latch: inside an NMI handler, until its iret; another NMI waits. */
  inNmi: boolean;
  /** NMIs Xen's mask swallowed on it. */
  lostNmis: number;
  /** Where it was when the last rendezvous started. */
  atRendezvous?: string;
}
export interface EmulatorPayloadState {
  name: string;
  state: 'CHECKED' | 'APPLIED';
  /** 0, -EAGAIN while pending, or the last action's -errno. */
  rc: number;
  buildId: string;
  depends: string;
  xenDepends: string;
  metadata: string[];
  funcs: EmulatorFuncState[];
}
export interface EmulatorFuncState {
  name: string;
  oldAddr: string;
  /** `0x0` for a NOP-out. */
  newAddr: string;
  oldSize: number;
  newSize: number;
  applied: boolean;
  /** Hex bytes now at old_addr (old_size of them, at most 32): `e9 ...` once patched; null if unreadable. */
  bytes: string | null;
}

/** The emulated kernel: its livepatches as /sys/kernel/livepatch shows them, the transition, the tasks, the modules. */
export interface LinuxEmulatorState {
  runtime: 'linux';
  target: string;
  /** `Linux version ...` once booted. */
  version?: string;
  /** Why the kernel died (a panic, an oops in a context that cannot go on); `reset` boots a new one. */
  panicked?: string;
  /** Enabled and disabled patches, in the order they were enabled (the klp_patches list). */
  patches: LinuxPatchState[];
  /** The transition in flight, if any (one at a time, as in the kernel). */
  transition?: LinuxTransitionState;
  tasks: LinuxTaskState[];
  /** Loaded modules, load order. */
  modules: LinuxModuleState[];
  /** As XenEmulatorState's. */
  cpus?: EmulatorCpusState;
}
export interface LinuxPatchState {
  /** The patch module's name, the directory under /sys/kernel/livepatch/. */
  name: string;
  /** /sys/kernel/livepatch/NAME/enabled. */
  enabled: boolean;
  /** /sys/kernel/livepatch/NAME/transition. */
  transition: boolean;
  /** A cumulative patch (`replace = true`). */
  replace?: boolean;
  /** A transition of it was forced (/sys/kernel/livepatch/NAME/force): its module can never be removed. */
  forced?: boolean;
  objects: LinuxPatchObjectState[];
}
export interface LinuxPatchObjectState {
  /** `vmlinux` or a module's name. */
  name: string;
  /** Whether the object is loaded (a module object of a patch may not be). */
  patched?: boolean;
  funcs: LinuxPatchFuncState[];
}
export interface LinuxPatchFuncState {
  /** old_name, with `,sympos` when old_sympos is not 0. */
  name: string;
  /** Whether calls to it are redirected now (func->patched). */
  patched: boolean;
  /** func->transition. */
  transition?: boolean;
  /** The replacement's address, `0x` hex; absent for a no-op func of a replace patch. */
  newAddr?: string;
}
export interface LinuxTransitionState {
  patch: string;
  target: 'patched' | 'unpatched';
  /** The tasks not yet switched, each with the function on its stack that keeps it, innermost first. */
  blocking: LinuxBlockingTask[];
}
export interface LinuxBlockingTask {
  pid: number;
  comm: string;
  /** The function being patched (or unpatched) found on its stack; '' when it is running. */
  function: string;
}
export interface LinuxTaskState {
  pid: number;
  comm: string;
  /** As `ps` shows it: R running, S sleeping, D uninterruptible, I idle, Z zombie. */
  state: string;
  /** /proc/PID/patch_state: -1 no transition (KLP_UNDEFINED), 0 unpatched, 1 patched. */
  patchState: number;
  /** The functions on its stack, innermost first (`name+0x1c`). */
  stack: string[];
}
export interface LinuxModuleState {
  name: string;
  /** MODULE_STATE_LIVE / COMING / GOING. */
  state: 'live' | 'coming' | 'going';
  /** `.modinfo` has livepatch=Y. */
  livepatch: boolean;
  /** References held on it, lsmod's count (the livepatch core holds one for an enabled or a forced patch): rmmod says EBUSY unless 0. */
  refcount: number;
  /** The modules linked against it, which must go first. */
  usedBy: string[];
}

/** A session's state before its machine boots (or when it cannot). */
export function unbootedState(runtime: RuntimeName, target: string): EmulatorState {
  return runtime === 'xen' ? { runtime, target, appliedStack: [], payloads: [] } : { runtime, target, patches: [], tasks: [], modules: [] };
}
