import type { EmulatorPayloadState, LinuxEmulatorState, LinuxModuleState, LinuxPatchState, XenEmulatorState } from '../../../../server/src/protocol';
import type { EmulatorModel } from './model';

// No `vscode` import here: unit tests load this file in plain Node.

/** xen-livepatch's verbs on an uploaded payload. */
export type XenVerb = 'apply' | 'revert' | 'replace' | 'unload';
/** What /sys/kernel/livepatch and the module loader let a user do to a patch or a module. */
export type LinuxVerb = 'enable' | 'disable' | 'force' | 'rmmod';

/**
 * The verbs the hypervisor would accept for this payload now, as xen/common/livepatch.c
 * decides: apply and replace need CHECKED (replace reverts every applied payload first), only
 * the top of the build-id stack reverts (EBUSY otherwise), only a CHECKED payload unloads,
 * and a panicked hypervisor refuses everything.
 */
export function xenVerbs(payload: EmulatorPayloadState, state: XenEmulatorState): XenVerb[] {
  if (state.panicked) return [];
  if (payload.state === 'APPLIED') return state.appliedStack.at(-1) === payload.name ? ['revert'] : [];
  return ['apply', 'replace', 'unload'];
}

/**
 * What kernel/livepatch/core.c accepts for this patch in 6.1: `enabled` takes 0 while the
 * patch is enabled (it starts the unpatching transition, or reverses the patching one) and 1
 * only while it is being disabled (the reversal; a disabled patch is freed when its transition
 * ends); `force` only during a transition.
 */
export function linuxPatchVerbs(patch: LinuxPatchState, state: LinuxEmulatorState): LinuxVerb[] {
  if (state.panicked) return [];
  const verbs: LinuxVerb[] = [patch.enabled ? 'disable' : 'enable'];
  if (patch.transition) verbs.push('force');
  return verbs;
}

/**
 * What kmod's rmmod accepts: a live module nobody holds (the livepatch core keeps a reference
 * while its patch is enabled, and for ever once a transition was forced) and no module uses.
 */
export function linuxModuleVerbs(module: LinuxModuleState, state: LinuxEmulatorState): LinuxVerb[] {
  return !state.panicked && module.state === 'live' && module.refcount === 0 && !module.usedBy.length ? ['rmmod'] : [];
}

/** The payloads a verb may be offered for, in upload order. */
export function xenPayloadsFor(verb: XenVerb, state: XenEmulatorState | undefined): EmulatorPayloadState[] {
  return state ? state.payloads.filter((p) => xenVerbs(p, state).includes(verb)) : [];
}

/** The patches (or, for rmmod, the modules) a verb may be offered for. */
export function linuxNamesFor(verb: LinuxVerb, state: LinuxEmulatorState | undefined): string[] {
  if (!state) return [];
  if (verb === 'rmmod') return state.modules.filter((m) => linuxModuleVerbs(m, state).includes(verb)).map((m) => m.name);
  return state.patches.filter((p) => linuxPatchVerbs(p, state).includes(verb)).map((p) => p.name);
}

/** The `livepatch.emulator.*` context keys: what the palette and the view may offer now. */
export function contextKeys(model: EmulatorModel): Record<string, boolean | string> {
  const xen = (verb: XenVerb) => xenPayloadsFor(verb, model.xen).length > 0;
  const linux = (verb: LinuxVerb) => linuxNamesFor(verb, model.linux).length > 0;
  return {
    'livepatch.emulator.canApply': xen('apply'),
    'livepatch.emulator.canRevert': xen('revert'),
    'livepatch.emulator.canReplace': xen('replace'),
    'livepatch.emulator.canUnload': xen('unload'),
    'livepatch.emulator.canEnable': linux('enable'),
    'livepatch.emulator.canDisable': linux('disable'),
    'livepatch.emulator.canForce': linux('force'),
    'livepatch.emulator.canRmmod': linux('rmmod'),
    'livepatch.emulator.runtime': model.runtime ?? '',
  };
}
