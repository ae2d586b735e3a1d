import { postPatch, postUnpatch, prePatch, preUnpatch } from './callbacks';
import { findObjectSymbol } from './findSymbol';
import { Ftrace } from './ftrace';
import { done, runSteps, Steps } from './guestSteps';
import { readGuestPatch, writeObjectModule } from './guestStructs';
import { KlpKernelModule, KlpTask, LivepatchHooks, LivepatchKernel } from './kernelPort';
import { EBUSY, EFAULT, EINVAL, ENODEV, ENOENT } from '../errno';
import { KLP_PATCHED, KLP_UNPATCHED, KlpObject, KlpPatch, KSYM_NAME_LEN, MODULE_NAME_LEN } from './model';
import { addNops, dropNops } from './nops';
import { isPatchCompatible } from './states';
import { objectDir, PatchStores, patchDir, registerObject, registerPatch } from './sysfs';
import { Transition, TransitionOwner } from './transition';

// kernel/livepatch/core.c of Linux 6.1: klp_enable_patch() and the patch list, disabling,
// atomic replace, and the module notifier. Errors are the kernel's errnos (negative) and
// messages; the synchronous parts of the kernel's async frees run at once.

const notice = (text: string): string => `\x015livepatch: ${text}\n`;
const warn = (text: string): string => `\x014livepatch: ${text}\n`;
const err = (text: string): string => `\x013livepatch: ${text}\n`;

export class LivepatchCore implements LivepatchHooks, PatchStores, TransitionOwner {
  /** klp_patches: enabled patches and the one in transition, oldest first. */
  readonly list: KlpPatch[] = [];
  readonly ftrace: Ftrace;
  readonly transition: Transition;

  constructor(private readonly kernel: LivepatchKernel) {
    this.ftrace = new Ftrace(kernel);
    this.transition = new Transition(kernel, this.ftrace, this);
  }

  /** Host context: each guest call runs to completion; one that fails counts as -EFAULT. */
  host<T>(steps: Steps<T>): T {
    return runSteps(steps, ({ call, args }) => {
      const outcome = this.kernel.callGuest(call, args);
      if (outcome.ok) return outcome.rax;
      this.kernel.printk(warn(`${this.kernel.machine.describe(call)} did not return: ${outcome.problem}`));
      return BigInt.asUintN(64, -BigInt(EFAULT));
    });
  }

  patches(): readonly KlpPatch[] {
    return this.list;
  }

  /** klp_enable_patch(patch): 0 or -errno. */
  *enablePatch(address: bigint): Steps<number> {
    const read = readGuestPatch(this.kernel, address);
    if ('errno' in read) {
      if (read.error) this.kernel.printk(err(read.error));
      return -read.errno;
    }
    const patch = read.patch;
    if (!isPatchCompatible(patch, this.list)) {
      this.kernel.printk(err(`Livepatch patch (${patch.name}) is not compatible with the already installed livepatches.`));
      return -EINVAL;
    }
    if (!this.kernel.moduleGet(patch.mod)) return -ENODEV;
    let ret = this.initPatch(patch);
    if (!ret) ret = yield* this.enable(patch);
    if (ret) this.freePatch(patch);
    return ret;
  }

  /** klp_init_patch(). */
  private initPatch(patch: KlpPatch): number {
    registerPatch(this.kernel, patch, this);
    if (patch.replace) addNops(patch, this.list);
    for (const object of patch.objects) {
      const ret = this.initObject(patch, object);
      if (ret) return ret;
    }
    this.list.push(patch);
    return 0;
  }

  /** klp_init_object() with klp_init_func() for each func. */
  private initObject(patch: KlpPatch, object: KlpObject): number {
    if (object.name !== null && object.name.length >= MODULE_NAME_LEN) return -EINVAL;
    object.patched = false;
    this.setObjectModule(object, object.name === null ? undefined : this.kernel.findModule(object.name));
    // kobject_add(&obj->kobj, ..., "%s", name) before any func: an empty name is a WARN and -EINVAL.
    if (object.name === '') {
      this.kernel.printk('\x014------------[ cut here ]------------\n');
      this.kernel.printk(`\x014kobject: (${object.address.toString(16).padStart(16, '0')}): attempted to be registered with empty name!\n`);
      this.kernel.printk('\x014WARNING: at lib/kobject.c:210 kobject_add_internal\n');
      return -EINVAL;
    }
    for (const func of object.funcs) {
      if (func.oldName === null) return -EINVAL;
      if (!func.newFunc && !func.nop) return -EINVAL;
      if (func.oldName.length >= KSYM_NAME_LEN) return -EINVAL;
      func.patched = false;
      func.transition = false;
    }
    registerObject(this.kernel, object);
    return object.loaded ? this.initObjectLoaded(patch, object) : 0;
  }

  /** klp_init_object_loaded(): a module's klp relocations, then each func's addresses and sizes. */
  private initObjectLoaded(patch: KlpPatch, object: KlpObject): number {
    if (object.name !== null) {
      const ret = this.kernel.writeKlpRelocations(patch.mod, object.name, true);
      if (ret) return ret;
    }
    for (const func of object.funcs) {
      const name = func.oldName ?? '';
      const found = findObjectSymbol(this.kernel, object.name, name, func.oldSympos);
      if ('errno' in found) return found.errno;
      func.oldFunc = found.address;
      const oldSize = this.kernel.kallsymsSize(func.oldFunc);
      if (oldSize === undefined) {
        this.kernel.printk(err(`kallsyms size lookup failed for '${name}'`));
        return -ENOENT;
      }
      func.oldSize = oldSize;
      if (func.nop) func.newFunc = func.oldFunc;
      const newSize = this.kernel.kallsymsSize(func.newFunc);
      if (newSize === undefined) {
        this.kernel.printk(err(`kallsyms size lookup failed for '${name}' replacement`));
        return -ENOENT;
      }
      func.newSize = newSize;
    }
    return 0;
  }

  /** __klp_enable_patch(). */
  private *enable(patch: KlpPatch): Steps<number> {
    if (this.transition.patch) return -EBUSY;
    if (patch.enabled) return -EINVAL;
    this.kernel.printk(notice(`enabling patch '${patch.name}'`));
    this.transition.init(patch, KLP_PATCHED);
    for (const object of patch.objects) {
      if (!object.loaded) continue;
      let ret = yield* prePatch(object);
      if (ret) {
        this.kernel.printk(warn(`pre-patch callback failed for object '${object.displayName}'`));
      } else {
        ret = this.ftrace.patchObject(object);
        if (ret) this.kernel.printk(warn(`failed to patch object '${object.displayName}'`));
      }
      if (ret) {
        this.kernel.printk(warn(`failed to enable patch '${patch.name}'`));
        yield* this.transition.cancel();
        return ret;
      }
    }
    this.transition.start();
    patch.enabled = true;
    yield* this.transition.tryComplete();
    return 0;
  }

  /** __klp_disable_patch(). */
  private *disable(patch: KlpPatch): Steps<number> {
    if (!patch.enabled) return -EINVAL;
    if (this.transition.patch) return -EBUSY;
    this.transition.init(patch, KLP_UNPATCHED);
    for (const object of patch.objects) if (object.patched) yield* preUnpatch(object);
    this.transition.start();
    patch.enabled = false;
    yield* this.transition.tryComplete();
    return 0;
  }

  // ---- sysfs stores ------------------------------------------------------------------------------

  /** enabled_store(): reverse a transition in flight, or disable; a disabled patch never comes back. */
  enabledStore(patch: KlpPatch, enabled: boolean): number {
    if (patch.enabled === enabled) return -EINVAL;
    if (patch === this.transition.patch) {
      this.transition.reverse();
      return 0;
    }
    return this.host(enabled ? done(-EINVAL) : this.disable(patch));
  }

  /** force_store(). */
  forceStore(patch: KlpPatch): number {
    if (patch !== this.transition.patch) return -EINVAL;
    this.transition.force();
    return 0;
  }

  isInTransition(patch: KlpPatch): boolean {
    return patch === this.transition.patch;
  }

  // ---- the end of a transition ---------------------------------------------------------------------

  /** klp_unpatch_replaced_patches() and klp_discard_nops(). */
  replacedPatchesDone(patch: KlpPatch): void {
    for (const old of this.olderThan(patch)) {
      old.enabled = false;
      this.ftrace.unpatchObjects(old);
    }
    this.ftrace.unpatchObjects(patch, true);
    const dropped = dropNops(patch);
    for (const object of dropped.objects) this.kernel.unregisterFiles(objectDir(object));
    for (const func of dropped.funcs) this.kernel.unregisterFiles(`${objectDir(func.object)}/${func.sysfsName}`);
  }

  transitionFinished(patch: KlpPatch): void {
    if (!patch.enabled) this.freePatch(patch);
    else if (patch.replace) for (const old of this.olderThan(patch)) this.freePatch(old);
  }

  private olderThan(patch: KlpPatch): KlpPatch[] {
    const index = this.list.indexOf(patch);
    return this.list.slice(0, index < 0 ? this.list.length : index);
  }

  /** klp_free_patch_start() + klp_free_patch_finish(): a forced patch keeps its module forever. */
  private freePatch(patch: KlpPatch): void {
    const index = this.list.indexOf(patch);
    if (index >= 0) this.list.splice(index, 1);
    this.kernel.unregisterFiles(patchDir(patch));
    if (!patch.forced) this.kernel.modulePut(patch.mod);
  }

  private setObjectModule(object: KlpObject, mod: KlpKernelModule | undefined): void {
    object.mod = mod;
    writeObjectModule(this.kernel, object.patch.mod.klpLayout, object, mod);
  }

  // ---- the module notifier -------------------------------------------------------------------------

  /** klp_module_coming(). */
  moduleComing(mod: KlpKernelModule): number {
    return this.host(this.comingSteps(mod));
  }

  private *comingSteps(mod: KlpKernelModule): Steps<number> {
    if (mod.name === 'vmlinux') {
      this.kernel.printk(err('vmlinux.ko: invalid module name'));
      return -EINVAL;
    }
    for (const patch of this.list) {
      const object = patch.objects.find((o) => o.name === mod.name);
      if (!object) continue;
      this.setObjectModule(object, mod);
      let ret = this.initObjectLoaded(patch, object);
      if (ret) {
        this.kernel.printk(warn(`failed to initialize patch '${patch.name}' for module '${mod.name}' (${ret})`));
      } else {
        this.kernel.printk(notice(`applying patch '${patch.name}' to loading module '${mod.name}'`));
        ret = yield* prePatch(object);
        if (ret) {
          this.kernel.printk(warn(`pre-patch callback failed for object '${mod.name}'`));
        } else {
          ret = this.ftrace.patchObject(object);
          if (ret) {
            this.kernel.printk(warn(`failed to apply patch '${patch.name}' to module '${mod.name}' (${ret})`));
            yield* postUnpatch(object);
          } else if (patch !== this.transition.patch) {
            yield* postPatch(object);
          }
        }
      }
      if (ret) {
        this.kernel.printk(warn(`patch '${patch.name}' failed for module '${mod.name}', refusing to load module '${mod.name}'`));
        this.setObjectModule(object, undefined);
        yield* this.cleanupModulePatches(mod, patch);
        return ret;
      }
    }
    return 0;
  }

  /** klp_module_going(). */
  moduleGoing(mod: KlpKernelModule): void {
    this.host(this.cleanupModulePatches(mod, undefined));
  }

  /** klp_cleanup_module_patches_limited(): unpatch the module in the patches before `limit`. */
  private *cleanupModulePatches(mod: KlpKernelModule, limit: KlpPatch | undefined): Steps<void> {
    for (const patch of this.list) {
      if (patch === limit) break;
      const object = patch.objects.find((o) => o.name === mod.name);
      if (!object) continue;
      if (patch !== this.transition.patch) yield* preUnpatch(object);
      this.kernel.printk(notice(`reverting patch '${patch.name}' on unloading module '${mod.name}'`));
      this.ftrace.unpatchObject(object);
      yield* postUnpatch(object);
      this.kernel.writeKlpRelocations(patch.mod, mod.name, false);
      this.setObjectModule(object, undefined);
      for (const func of object.funcs) {
        func.oldFunc = 0n;
        if (func.nop) func.newFunc = 0n;
      }
    }
  }

  // ---- task hooks ----------------------------------------------------------------------------------

  updatePatchState(task: KlpTask): void {
    this.transition.updatePatchState(task);
  }

  copyProcess(child: KlpTask, parent: KlpTask): void {
    this.transition.copyProcess(child, parent);
  }

  procPatchState(task: KlpTask): string {
    return `${task.klp.patchState}\n`;
  }
}
