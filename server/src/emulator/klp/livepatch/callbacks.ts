import { Steps } from './guestSteps';
import { KlpObject } from './model';

// kernel/livepatch/core.h's callback helpers: pre_patch decides whether post_unpatch will run
// (post_unpatch_enabled), so each post-unpatch pairs with a pre-patch that succeeded.

/** klp_pre_patch_callback(): its int result (0 lets the object be patched). */
export function* prePatch(object: KlpObject): Steps<number> {
  const ret = object.callbacks.prePatch ? yield* run(object, object.callbacks.prePatch) : 0;
  object.postUnpatchEnabled = ret === 0;
  return ret;
}

export function* postPatch(object: KlpObject): Steps<void> {
  if (object.callbacks.postPatch) yield* run(object, object.callbacks.postPatch);
}

export function* preUnpatch(object: KlpObject): Steps<void> {
  if (object.callbacks.preUnpatch) yield* run(object, object.callbacks.preUnpatch);
}

export function* postUnpatch(object: KlpObject): Steps<void> {
  if (object.postUnpatchEnabled && object.callbacks.postUnpatch) yield* run(object, object.callbacks.postUnpatch);
  object.postUnpatchEnabled = false;
}

/** A callback gets its struct klp_object; the result is a C int. */
function* run(object: KlpObject, callback: bigint): Steps<number> {
  const rax = yield { call: callback, args: [object.address] };
  return Number(BigInt.asIntN(32, rax));
}
