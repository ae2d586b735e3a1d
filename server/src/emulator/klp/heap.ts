import { GuestFault } from '../faults';
import { Machine } from '../machine';

const HEAP_SIZE = 64n << 20n;
/** ARCH_KMALLOC_MINALIGN on x86-64. */
const ALIGN = 8n;
/** The kmalloc caches' object sizes (kmalloc-8 ... kmalloc-8k); larger goes to whole pages. */
const SIZE_CLASSES = [8n, 16n, 32n, 64n, 96n, 128n, 192n, 256n, 512n, 1024n, 2048n, 4096n, 8192n];

/**
 * The kernel's memory allocator (kmalloc's slab caches, reduced): objects come from size classes
 * as kmalloc-N caches hand them out, freed objects are reused by the next allocation of their
 * class (so a use-after-free reads someone else's data, as on a real kernel), and the live
 * objects are counted so a leak can be seen.
 */
export class KernelHeap {
  private readonly base: bigint;
  private next: bigint;
  private readonly freeLists = new Map<bigint, bigint[]>();
  private readonly live = new Map<bigint, bigint>();

  constructor(private readonly machine: Machine) {
    this.base = machine.allocate(HEAP_SIZE, 'kernel heap (kmalloc)');
    this.next = this.base;
  }

  /** Allocates `size` bytes (NULL, 0n, when the heap is exhausted); `zero` as __GFP_ZERO. */
  alloc(size: bigint, zero = false): bigint {
    if (size <= 0n) return 16n; // ZERO_SIZE_PTR: a valid non-NULL pointer that faults on use
    const cls = SIZE_CLASSES.find((c) => c >= size) ?? ((size + 4095n) / 4096n) * 4096n;
    const reused = this.freeLists.get(cls)?.pop();
    let address = reused;
    if (address === undefined) {
      if (this.next + cls > this.base + HEAP_SIZE) return 0n;
      address = this.next;
      this.next += (cls + ALIGN - 1n) & ~(ALIGN - 1n);
    }
    this.live.set(address, cls);
    if (zero || reused === undefined) this.machine.memory.write(address, new Uint8Array(Number(cls)));
    return address;
  }

  /** kfree(): NULL and ZERO_SIZE_PTR are ignored; anything else must be a live object. */
  free(address: bigint): void {
    if (address === 0n || address === 16n) return;
    const cls = this.live.get(address);
    if (cls === undefined) throw new GuestFault('bug', `kernel BUG at mm/slub.c: kfree(0x${address.toString(16)}): not an object kmalloc returned, or freed twice`);
    this.live.delete(address);
    const list = this.freeLists.get(cls) ?? [];
    list.push(address);
    this.freeLists.set(cls, list);
  }

  /** ksize(): the usable size of a live object. */
  sizeOf(address: bigint): bigint | undefined {
    return this.live.get(address);
  }

  /** Per kmalloc-N cache: objects in use and objects the cache holds (in use plus freed ones kept for reuse). */
  caches(): { size: bigint; active: number; total: number }[] {
    const active = new Map<bigint, number>();
    for (const cls of this.live.values()) active.set(cls, (active.get(cls) ?? 0) + 1);
    return SIZE_CLASSES.map((size) => ({ size, active: active.get(size) ?? 0, total: (active.get(size) ?? 0) + (this.freeLists.get(size)?.length ?? 0) }));
  }

  /** Objects allocated and not freed. */
  get liveObjects(): number {
    return this.live.size;
  }

  /** A NUL-terminated copy of `text` (kstrdup). */
  string(text: string): bigint {
    const address = this.alloc(BigInt(text.length + 1));
    this.machine.memory.writeCString(address, text);
    return address;
  }
}
