import { GuestFault } from '../../faults';
import { Machine } from '../../machine';
import { PAGE_SIZE, Perm } from '../../memory';
import { NativeContext } from '../../natives';
import { bindNative } from '../../nativeBinding';

/** Where xmalloc's pool and the xenheap's pages come from (inside Xen's direct map, above the stacks). */
const HEAP_BASE = 0xffff830100000000n;
const HEAP_SIZE = 64n << 20n;
/** xmalloc's smallest alignment (MEM_ALIGN in common/xmalloc_tlsf.c is 16 on x86-64). */
const MIN_ALIGN = 16n;

/**
 * Xen's allocators at their boundary with the page allocator: `_xmalloc`/`_xzalloc`/`_xrealloc`/
 * `xfree`, `alloc_xenheap_pages`/`free_xenheap_pages` and `vmalloc`/`vzalloc`/`vfree` on one
 * guest arena. Freed blocks are not reused, so a use after free reads the old bytes, and a
 * double or wild xfree is Xen's BUG it would be.
 */
class XenHeap {
  private next = HEAP_BASE;
  private readonly live = new Map<bigint, bigint>();

  constructor(private readonly machine: Machine) {
    machine.memory.map(HEAP_BASE, HEAP_SIZE, Perm.RW, "Xen's heap (xmalloc, xenheap pages)");
  }

  alloc(size: bigint, align: bigint, zero: boolean): bigint {
    const alignment = align > MIN_ALIGN ? align : MIN_ALIGN;
    const start = (this.next + alignment - 1n) & ~(alignment - 1n);
    const length = size > 0n ? size : 1n;
    if (start + length > HEAP_BASE + HEAP_SIZE) return 0n;
    this.next = start + length;
    this.live.set(start, length);
    if (zero) this.machine.memory.write(start, new Uint8Array(Number(length)));
    return start;
  }

  free(address: bigint, what: string): void {
    if (address === 0n) return;
    if (!this.live.delete(address)) throw new GuestFault('bug', `Xen BUG: ${what}(0x${address.toString(16)}): not a block the allocator handed out, or freed twice`);
  }

  realloc(address: bigint, size: bigint, align: bigint): bigint {
    const fresh = this.alloc(size, align, false);
    const old = this.live.get(address);
    if (old !== undefined && fresh !== 0n) {
      this.machine.memory.write(fresh, this.machine.memory.read(address, Number(old < size ? old : size)));
      this.free(address, 'xfree');
    }
    return fresh;
  }
}

/** A deterministic system time in ns (NOW()): the instruction count, as the emulator's rdtsc. */
const systemTime = (machine: Machine) => BigInt(machine.cpu.instructions);

type Run = (ctx: NativeContext) => bigint | void;

function boundary(machine: Machine): Record<string, Run> {
  const heap = new XenHeap(machine);
  // `unsigned int order`: the caller need not clear the register's upper half.
  const pages = (order: bigint) => PAGE_SIZE << (order & 0xffffffffn);
  const nothing: Run = () => undefined;
  // prettier-ignore
  return {
    _xmalloc: (ctx) => heap.alloc(ctx.arg(0), ctx.arg(1), false),
    _xzalloc: (ctx) => heap.alloc(ctx.arg(0), ctx.arg(1), true),
    _xrealloc: (ctx) => heap.realloc(ctx.arg(0), ctx.arg(1), ctx.arg(2)),
    xfree: (ctx) => heap.free(ctx.arg(0), 'xfree'),
    alloc_xenheap_pages: (ctx) => heap.alloc(pages(ctx.arg(0)), PAGE_SIZE, false),
    free_xenheap_pages: (ctx) => heap.free(ctx.arg(0), 'free_xenheap_pages'),
    vmalloc: (ctx) => heap.alloc(ctx.arg(0), PAGE_SIZE, false),
    vzalloc: (ctx) => heap.alloc(ctx.arg(0), PAGE_SIZE, true),
    vfree: (ctx) => heap.free(ctx.arg(0), 'vfree'),
    get_s_time_fixed: () => systemTime(machine),
    get_s_time: () => systemTime(machine),
    // One CPU and no time passing between commands: a timer is armed and never fires, an IPI has no one to reach.
    set_timer: nothing, stop_timer: nothing, kill_timer: nothing, migrate_timer: nothing,
    send_IPI_mask: nothing, smp_send_event_check_mask: nothing,
  };
}

/** Defines the hardware-boundary natives and binds those the image has; returns the bound names. */
export function bindBoundaryNatives(machine: Machine): string[] {
  const bound: string[] = [];
  for (const [name, run] of Object.entries(boundary(machine))) {
    if (!machine.symbols.get(name)) continue;
    machine.natives.define({ name, kind: 'call', run });
    if (bindNative(machine, name)) bound.push(name);
  }
  return bound;
}
