import { Machine } from '../../machine';
import { NativeContext } from '../../natives';
import { KlpLayout } from '../../../payload/klp/klpLayout';
import { Steps } from './guestSteps';

// The narrow seam between the livepatch core and the kernel model (LinuxKernel, owned by the
// kernel-model side): everything the core asks of the kernel, and nothing else. One adapter
// maps LinuxKernel onto it, so the core never depends on how the kernel model is built.

/** A guest task as the core sees it; `klp` belongs to the core (task->patch_state). */
export interface KlpTask {
  readonly pid: number;
  readonly comm: string;
  /** On a CPU right now (task_curr()). */
  readonly isRunning: boolean;
  /** Entry addresses of the functions on its stack, innermost first (a reliable stack trace). */
  stackFunctions(): bigint[];
  klp: { patchState: number };
}

/** A loaded module as the core sees it. */
export interface KlpKernelModule {
  readonly name: string;
  /** Guest address of its `struct module` (THIS_MODULE), what klp_patch.mod and klp_object.mod hold. */
  readonly address: bigint;
  /** `.modinfo` has `livepatch=Y` (is_livepatch_module()). */
  readonly livepatch: boolean;
  /** Where its klp_patch/klp_object/klp_func/klp_state fields are (from its DWARF, else the kernel's). */
  readonly klpLayout: KlpLayout;
}

export interface KlpFile {
  read?: () => string;
  /** 0 (the whole write was taken) or -errno. */
  write?: (value: string) => number;
}

/** The result of running guest code from the core (a callback). */
export type GuestCallOutcome = { ok: true; rax: bigint } | { ok: false; problem: string };

export interface LivepatchKernel {
  readonly machine: Machine;
  /** printk(): `text` may start with a KERN_* level ("\x01" + digit). */
  printk(text: string): void;
  /** Guest jiffies and HZ (timers run in guest time). */
  jiffies(): bigint;
  readonly HZ: number;
  /** Runs `fn` on the system workqueue after `delayJiffies` of guest time. */
  scheduleWork(delayJiffies: bigint, fn: () => void): void;

  /** Every task, idle ("swapper") tasks included, and the one running the current code. */
  tasks(): Iterable<KlpTask>;
  currentTask(): KlpTask | undefined;
  /** A fake signal (set_notify_signal) or, for a kthread, wake_up_state(TASK_INTERRUPTIBLE). */
  wakeUp(task: KlpTask): void;

  /** Loaded modules by name (find_module() with klp_alive), and the one a guest address lies in. */
  findModule(name: string): KlpKernelModule | undefined;
  moduleAt(address: bigint): KlpKernelModule | undefined;
  /** try_module_get()/module_put(): a held module cannot be removed. */
  moduleGet(mod: KlpKernelModule): boolean;
  modulePut(mod: KlpKernelModule): void;
  /** Applies (or clears) `patchModule`'s `.klp.rela.<objectName>.*` sections: 0 or -errno (the kernel prints why). */
  writeKlpRelocations(patchModule: KlpKernelModule, objectName: string, apply: boolean): number;

  /** kallsyms: addresses of `name` in vmlinux (objectName null) or in a module, in kallsyms order. */
  kallsymsLookup(objectName: string | null, name: string): bigint[];
  /** kallsyms_lookup_size_offset(): the size of the symbol that starts at or contains `address`. */
  kallsymsSize(address: bigint): bigint | undefined;

  /** The `__fentry__` call site of a function entry (ftrace_location()); undefined when notrace. */
  ftraceSite(func: bigint): bigint | undefined;
  /** Makes a site call the machine's `__fentry__` native (whose hook the core owns), or a NOP again. */
  setTraced(site: bigint, traced: boolean): void;

  /** sysfs/procfs files; unregister drops a path and everything below it. */
  registerFile(path: string, file: KlpFile): void;
  unregisterFiles(prefix: string): void;

  /** Host context (no guest code running): runs a guest function to completion. */
  callGuest(address: bigint, args: bigint[]): GuestCallOutcome;
  /** A native whose body may call guest code: each yielded call runs, its rax is sent back; the end value is the native's rax. */
  defineNative(name: string, body: (ctx: NativeContext) => Steps<bigint>): void;
}

/** What the kernel model calls into: the hooks the core registers, in the kernel's terms. */
export interface LivepatchHooks {
  /** klp_module_coming(): 0 or -errno (the module load is refused). */
  moduleComing(mod: KlpKernelModule): number;
  /** klp_module_going(). */
  moduleGoing(mod: KlpKernelModule): void;
  /** klp_update_patch_state(task): the task leaves the kernel, or the idle loop runs. */
  updatePatchState(task: KlpTask): void;
  /** klp_copy_process(): a forked child inherits its parent's patch state and pending flag. */
  copyProcess(child: KlpTask, parent: KlpTask): void;
  /** The text of /proc/<pid>/patch_state. */
  procPatchState(task: KlpTask): string;
}
