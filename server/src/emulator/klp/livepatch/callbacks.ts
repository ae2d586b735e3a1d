import { LivepatchKernel } from './kernelPort';
import { KlpObject } from './model';

// kernel/livepatch/core.h's callback helpers: pre_patch decides whether post_unpatch will run
// (post_unpatch_enabled), so each post-unpatch pairs with a pre-patch that succeeded.

/** What a callback that faulted counts as: the guest's error, never the host's. */
const EFAULT = 14;

export class Callbacks {
  constructor(private readonly kernel: LivepatchKernel) {}

  /** klp_pre_patch_callback(): its int result (0 lets the object be patched). */
  prePatch(object: KlpObject): number {
    const ret = object.callbacks.prePatch ? this.run(object, object.callbacks.prePatch) : 0;
    object.postUnpatchEnabled = ret === 0;
    return ret;
  }

  postPatch(object: KlpObject): void {
    if (object.callbacks.postPatch) this.run(object, object.callbacks.postPatch);
  }

  preUnpatch(object: KlpObject): void {
    if (object.callbacks.preUnpatch) this.run(object, object.callbacks.preUnpatch);
  }

  postUnpatch(object: KlpObject): void {
    if (object.postUnpatchEnabled && object.callbacks.postUnpatch) this.run(object, object.callbacks.postUnpatch);
    object.postUnpatchEnabled = false;
  }

  private run(object: KlpObject, callback: bigint): number {
    const outcome = this.kernel.callGuest(callback, [object.address]);
    if (outcome.ok) return Number(BigInt.asIntN(32, outcome.rax));
    this.kernel.printk(`\x014livepatch: callback ${this.kernel.machine.describe(callback)} for object '${object.displayName}' did not return: ${outcome.problem}\n`);
    return -EFAULT;
  }
}
