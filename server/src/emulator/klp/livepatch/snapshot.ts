import { LivepatchCore } from './core';
import { LivepatchKernel } from './kernelPort';
import { KLP_PATCHED } from './model';

// A plain-data picture of the livepatch core for the editor and `ps`: the adapter in the
// session layer maps it onto the protocol's Linux state type.

export interface KlpFuncSnapshot {
  oldName: string;
  sympos: number;
  oldFunc: string;
  newFunc: string;
  nop: boolean;
  patched: boolean;
  transition: boolean;
}

export interface KlpPatchSnapshot {
  name: string;
  enabled: boolean;
  transition: boolean;
  forced: boolean;
  replace: boolean;
  objects: { name: string; loaded: boolean; patched: boolean; funcs: KlpFuncSnapshot[] }[];
}

export interface KlpTaskSnapshot {
  pid: number;
  comm: string;
  /** /proc/<pid>/patch_state: -1 outside a transition, else 0 or 1. */
  patchState: number;
  /** TIF_PATCH_PENDING. */
  pending: boolean;
  /** Why the last try could not switch it. */
  blockedBy?: { reason: 'running' } | { reason: 'sleeping'; func: string };
}

/** A task the last try could not switch: running (function '') or asleep on a function being changed. */
export interface KlpBlockingTask {
  pid: number;
  comm: string;
  reason: 'running' | 'sleeping';
  function: string;
}

export interface LivepatchSnapshot {
  patches: KlpPatchSnapshot[];
  /** The patch in transition, where it goes, and who holds it back (the kernel's pr_debug reasons). */
  transition?: { patch: string; target: 'patched' | 'unpatched'; blocking: KlpBlockingTask[] };
  tasks: KlpTaskSnapshot[];
}

const hex = (value: bigint): string => `0x${value.toString(16)}`;

export function livepatchSnapshot(kernel: LivepatchKernel, core: LivepatchCore): LivepatchSnapshot {
  const t = core.transition;
  return {
    patches: core.list.map((p) => ({
      name: p.name,
      enabled: p.enabled,
      transition: p === t.patch,
      forced: p.forced,
      replace: p.replace,
      objects: p.objects.map((o) => ({
        name: o.displayName,
        loaded: o.loaded,
        patched: o.patched,
        funcs: o.funcs.map((f) => ({
          oldName: f.oldName ?? '',
          sympos: Number(f.oldSympos),
          oldFunc: hex(f.oldFunc),
          newFunc: hex(f.newFunc),
          nop: f.nop,
          patched: f.patched,
          transition: f.transition,
        })),
      })),
    })),
    ...(t.patch
      ? {
          transition: {
            patch: t.patch.name,
            target: t.target === KLP_PATCHED ? 'patched' : 'unpatched',
            blocking: [...t.refusals].map(([task, why]) => ({ pid: task.pid, comm: task.comm, reason: why.reason, function: why.reason === 'sleeping' ? why.func : '' })),
          },
        }
      : {}),
    tasks: [...kernel.tasks()].map((task) => {
      const blockedBy = t.refusals.get(task);
      return { pid: task.pid, comm: task.comm, patchState: task.klp.patchState, pending: t.isPending(task), ...(blockedBy ? { blockedBy } : {}) };
    }),
  };
}
