import type { KernelServices } from '../kernelServices';
import { LivepatchCore } from './core';
import { LivepatchHooks, LivepatchKernel } from './kernelPort';
import { hookLinuxKernel, linuxKernelPort } from './linuxKernelPort';
import { defineLivepatchNatives } from './natives';
import { livepatchSnapshot, LivepatchSnapshot } from './snapshot';
import { LIVEPATCH_ROOT } from './sysfs';

export type { GuestCallOutcome, KlpFile, KlpKernelModule, KlpTask, LivepatchHooks, LivepatchKernel } from './kernelPort';
export type { LivepatchSnapshot } from './snapshot';
export { KLP_PATCHED, KLP_UNDEFINED, KLP_UNPATCHED } from './model';

/** The installed core: the hooks the kernel model calls, and the state for the editor. */
export interface InstalledLivepatch extends LivepatchHooks {
  readonly core: LivepatchCore;
  snapshot(): LivepatchSnapshot;
}

/**
 * klp_init() on the kernel model: the core on the KernelServices's port, its module notifiers and
 * task hooks registered. Call at boot, before any module loads.
 */
export function installLivepatchCore(kernel: KernelServices): InstalledLivepatch {
  const port = linuxKernelPort(kernel);
  const installed = startLivepatchCore(port);
  hookLinuxKernel(kernel, port, installed);
  return installed;
}

/**
 * The core on any kernel port: defines the livepatch natives (modules link klp_enable_patch
 * against them, so start it before loading any) and takes the machine's __fentry__ hook.
 */
export function startLivepatchCore(kernel: LivepatchKernel): InstalledLivepatch {
  const core = new LivepatchCore(kernel);
  defineLivepatchNatives(kernel, core);
  kernel.registerFile(LIVEPATCH_ROOT, {});
  return {
    core,
    snapshot: () => livepatchSnapshot(kernel, core),
    moduleComing: (mod) => core.moduleComing(mod),
    moduleGoing: (mod) => core.moduleGoing(mod),
    updatePatchState: (task) => core.updatePatchState(task),
    copyProcess: (child, parent) => core.copyProcess(child, parent),
    procPatchState: (task) => core.procPatchState(task),
  };
}
