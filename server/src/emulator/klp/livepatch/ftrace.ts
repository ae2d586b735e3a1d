import { LivepatchKernel } from './kernelPort';
import { EINVAL } from '../errno';
import { KLP_UNPATCHED, KlpFunc, KlpObject, KlpPatch } from './model';

// kernel/livepatch/patch.c on the kernel model's ftrace: one klp_ops per patched function,
// holding the stack of klp_funcs that patch it (newest first), and one handler at the function's
// __fentry__ site. The site stays a NOP until the first func patches the function; then it calls
// the machine's __fentry__ native, whose hook is klp_ftrace_handler().

export class KlpOps {
  /** ops->func_stack: the first entry is the newest. */
  readonly funcStack: KlpFunc[] = [];

  constructor(
    readonly oldFunc: bigint,
    readonly site: bigint,
  ) {}
}

export class Ftrace {
  private readonly ops: KlpOps[] = [];
  private readonly bySite = new Map<bigint, KlpOps>();

  constructor(private readonly kernel: LivepatchKernel) {
    const machine = kernel.machine;
    const previous = machine.fentryHook;
    machine.fentryHook = (site, m) => {
      const ops = this.bySite.get(site);
      return ops ? this.handler(ops) : previous?.(site, m);
    };
  }

  /** klp_find_ops(). */
  find(oldFunc: bigint): KlpOps | undefined {
    return this.ops.find((o) => o.funcStack[0]?.oldFunc === oldFunc);
  }

  /** klp_ftrace_handler(): where a call of the patched function goes for the current task. */
  private handler(ops: KlpOps): bigint | undefined {
    let func: KlpFunc | undefined = ops.funcStack[0];
    if (!func) return undefined;
    if (func.transition) {
      const patchState = this.kernel.currentTask()?.klp.patchState;
      if (patchState === KLP_UNPATCHED) {
        // The previously patched version, or the original when there is none.
        func = ops.funcStack[1];
        if (!func) return undefined;
      }
    }
    // A nop returns to the original code: redirecting there would loop.
    return func.nop ? undefined : func.newFunc;
  }

  /** klp_patch_func(): 0 or -errno, after printing why as the kernel does. */
  patchFunc(func: KlpFunc): number {
    if (!func.oldFunc || func.patched) return -EINVAL;
    const ops = this.find(func.oldFunc);
    if (ops) {
      ops.funcStack.unshift(func);
    } else {
      const site = this.kernel.ftraceSite(func.oldFunc);
      if (site === undefined) {
        this.kernel.printk(`\x013livepatch: failed to find location for function '${func.oldName}'\n`);
        return -EINVAL;
      }
      const created = new KlpOps(func.oldFunc, site);
      created.funcStack.push(func);
      this.ops.unshift(created);
      this.bySite.set(site, created);
      this.kernel.setTraced(site, true);
    }
    func.patched = true;
    return 0;
  }

  /** klp_unpatch_func(). */
  unpatchFunc(func: KlpFunc): void {
    if (!func.patched || !func.oldFunc) return;
    const ops = this.find(func.oldFunc);
    if (!ops) return;
    if (ops.funcStack.length === 1) {
      this.kernel.setTraced(ops.site, false);
      this.bySite.delete(ops.site);
      this.ops.splice(this.ops.indexOf(ops), 1);
    } else {
      ops.funcStack.splice(ops.funcStack.indexOf(func), 1);
    }
    func.patched = false;
  }

  /** klp_patch_object(): all its funcs, or none. */
  patchObject(object: KlpObject): number {
    if (object.patched) return -EINVAL;
    for (const func of object.funcs) {
      const ret = this.patchFunc(func);
      if (ret) {
        this.unpatchObject(object);
        return ret;
      }
    }
    object.patched = true;
    return 0;
  }

  /** __klp_unpatch_object(): a replace's dynamic nops alone, or everything. */
  unpatchObject(object: KlpObject, nopsOnly = false): void {
    for (const func of object.funcs) if ((!nopsOnly || func.nop) && func.patched) this.unpatchFunc(func);
    if (object.dynamic || !nopsOnly) object.patched = false;
  }

  unpatchObjects(patch: KlpPatch, nopsOnly = false): void {
    for (const object of patch.objects) if (object.patched) this.unpatchObject(object, nopsOnly);
  }

  /** The functions patched now, for the editor: each with its stack, newest first. */
  stacks(): readonly KlpOps[] {
    return this.ops;
  }
}
