import { Perm } from '../../memory';
import { NativeContext } from '../../natives';
import { GuestStep } from '../guestCode';
import type { KernelServices } from '../kernelServices';

/** A native that returns at once: its result goes to %rax. */
export function defineCall(kernel: KernelServices, name: string, run: (ctx: NativeContext) => bigint | void): void {
  kernel.machine.natives.define({ name, kind: 'call', run });
}

/** A native that may call guest code or sleep before it returns (see GuestCode). */
export function defineSteps(kernel: KernelServices, name: string, run: (ctx: NativeContext) => GuestStep): void {
  kernel.machine.natives.define({ name, kind: 'jump', run: (ctx) => kernel.guestCode.continueWith(ctx, run(ctx)) });
}

const DATA_AREA = 0x10000n;
const dataAreas = new WeakMap<KernelServices, { next: bigint; end: bigint }>();

/**
 * A kernel data symbol (system_wq, kmalloc_caches...): zeroed guest memory next to the code,
 * where modules reach it with the PC-relative relocations of -mcmodel=kernel.
 */
export function defineData(kernel: KernelServices, name: string, size: bigint): bigint {
  let area = dataAreas.get(kernel);
  if (!area || area.next + size > area.end) {
    const start = kernel.machine.allocateNearCode(DATA_AREA, 'kernel data', Perm.RW);
    area = { next: start, end: start + DATA_AREA };
    dataAreas.set(kernel, area);
  }
  const address = area.next;
  area.next += (size + 15n) & ~15n;
  kernel.machine.symbols.add({ name, address, size, kind: 'object', global: true, image: 'kernel' });
  return address;
}

/** A C int argument (the low 32 bits, sign-extended). */
export function int(value: bigint): bigint {
  return BigInt.asIntN(32, value);
}
