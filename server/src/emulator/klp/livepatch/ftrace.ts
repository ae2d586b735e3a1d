import { Machine } from '../../machine';
import { LivepatchKernel } from './kernelPort';
import { EINVAL, KLP_UNPATCHED, KlpFunc, KlpObject, KlpPatch } from './model';

// kernel/livepatch/patch.c on the emulator's ftrace: one klp_ops per patched function, holding
// the stack of klp_funcs that patch it (newest first), and one handler at the function's
// __fentry__ site. The site keeps its original bytes until the first func patches the function;
// then it calls the machine's __fentry__ native, whose hook is klp_ftrace_handler().

const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];
const NOP5 = [0x0f, 0x1f, 0x44, 0x00, 0x00];
const CALL_LENGTH = 5;

export class KlpOps {
  /** ops->func_stack: the first entry is the newest. */
  readonly funcStack: KlpFunc[] = [];

  constructor(
    readonly oldFunc: bigint,
    readonly site: bigint,
    readonly savedBytes: Uint8Array,
  ) {}
}

/**
 * ftrace_location(): the address of the __fentry__ call (or its NOP) at the start of a function,
 * after ENDBR64; 0 when the function has none (notrace), which ftrace cannot patch.
 */
export function ftraceLocation(machine: Machine, func: bigint): bigint {
  const head = machine.memory.read(func, 9);
  const at = ENDBR64.every((b, i) => head[i] === b) ? 4 : 0;
  if (NOP5.every((b, i) => head[at + i] === b)) return func + BigInt(at);
  if (head[at] !== 0xe8) return 0n;
  const site = func + BigInt(at);
  const destination = site + BigInt(CALL_LENGTH) + BigInt(new DataView(head.buffer).getInt32(at + 1, true));
  const hit = machine.symbols.at(destination);
  return hit && hit.offset === 0n && hit.symbol.name === '__fentry__' ? site : 0n;
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
      const site = ftraceLocation(this.kernel.machine, func.oldFunc);
      if (!site) {
        this.kernel.printk(`\x013livepatch: failed to find location for function '${func.oldName}'\n`);
        return -EINVAL;
      }
      const created = new KlpOps(func.oldFunc, site, this.kernel.machine.memory.read(site, CALL_LENGTH));
      created.funcStack.push(func);
      this.ops.unshift(created);
      this.bySite.set(site, created);
      this.writeSite(site, this.callToHandler(site));
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
      this.writeSite(ops.site, ops.savedBytes);
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

  private callToHandler(site: bigint): Uint8Array {
    const native = this.kernel.machine.nativeAddress('__fentry__');
    if (native === undefined) throw new Error('the machine has no __fentry__ native');
    const insn = new Uint8Array(CALL_LENGTH);
    insn[0] = 0xe8;
    new DataView(insn.buffer).setInt32(1, Number(BigInt.asIntN(32, native - (site + BigInt(CALL_LENGTH)))), true);
    return insn;
  }

  private writeSite(site: bigint, bytes: Uint8Array): void {
    this.kernel.machine.memory.write(site, bytes, { force: true });
  }
}
