import { KlpPatch, KlpState } from './model';

// kernel/livepatch/state.c: system states a patch declares (klp_state), and the rule that a
// new patch must not break a state already made by installed ones.

/** klp_get_state(): the patch's state with this id. */
function getState(patch: KlpPatch, id: bigint): KlpState | undefined {
  return patch.states.find((s) => s.id === id);
}

/** klp_get_prev_state(): the state of the newest patch installed before the one in transition. */
export function getPrevState(patches: readonly KlpPatch[], transitionPatch: KlpPatch, id: bigint): KlpState | undefined {
  let last: KlpState | undefined;
  for (const patch of patches) {
    if (patch === transitionPatch) break;
    last = getState(patch, id) ?? last;
  }
  return last;
}

/**
 * klp_is_patch_compatible(): a cumulative patch must handle every state already modified, and
 * any patch may only keep or raise a state's version.
 */
export function isPatchCompatible(patch: KlpPatch, installed: readonly KlpPatch[]): boolean {
  for (const old of installed) {
    for (const oldState of old.states) {
      const state = getState(patch, oldState.id);
      if (!state ? patch.replace : state.version < oldState.version) return false;
    }
  }
  return true;
}
