import { hiOf, loOf } from '../../addr';
import { imageSymbol } from '../../imageCpus';
import { Machine } from '../../machine';
import { PAGE_SIZE } from '../../memory';
import { TargetLayout } from '../layout';

/** Where gcc's -mcmodel=kernel stack protector reads the canary: %gs:40 (fixed_percpu_data.stack_canary). */
const STACK_CANARY_OFFSET = 40n;
/**
 * PREEMPT_ENABLED on x86 (asm/preempt.h): a count of 0 with the inverted PREEMPT_NEED_RESCHED bit
 * set, what a task runs with outside atomic sections. The template's INIT_PREEMPT_COUNT (1) is
 * boot's; with it, preempt_enable() would reach the real scheduler on its first 1 -> 0.
 */
const PREEMPT_ENABLED = 0x80000000;
/** The canary of CPU 0: fixed so runs stay reproducible; its low byte 0, like get_random_canary's. */
const CANARY = 0x5a17c0de1e550000n;

/** What the per-CPU setup gives the rest of the boot. */
export interface RealPerCpu {
  /** CPU 0's area. */
  base: bigint;
  canary: bigint;
  /** CPU `id`'s copy (default CPU 0's) of a per-CPU variable (`current_task`, `runqueues`). */
  at(name: string, id?: number): bigint;
  /** CPU `id`'s per-CPU offset (what %gs holds there), its area made on first use as setup_per_cpu_areas() makes each. */
  offsetOf(id: number): bigint;
  /** The canary CPU `id` runs with at %gs:40 (its idle task's stack_canary). */
  canaryOf(id: number): bigint;
}

/**
 * setup_per_cpu_areas(): the image's per-CPU template (`__per_cpu_start`..`__per_cpu_end`,
 * linked at virtual address 0) is copied to an area of each CPU, `__per_cpu_offset[n]` and
 * that area's `this_cpu_off` and `cpu_number` name it, its preempt count is PREEMPT_ENABLED
 * and its canary its own. CPU 0's is made now, with MSR_GS_BASE at it (so `%gs:current_task`
 * reads CPU 0's) and `current_task` = `init_task`; the other CPUs' when the SMP session first
 * uses them. The template's range is left unmapped: page 0 faults, so a NULL dereference or a
 * per-CPU read without %gs is a fault, not a read of the template.
 */
export function placePerCpuAreas(machine: Machine, layout: TargetLayout, file: string): RealPerCpu {
  const symbol = (name: string) => imageSymbol(machine, file, name, "the emulated vmlinux's per-CPU areas");
  // 6.2 gathered the hot ones (current_task, cpu_number, ...) in struct pcpu_hot; 6.1 has a variable each.
  const variable = (name: string) => machine.symbols.get(name)?.address ?? (layout.has('pcpu_hot', name) ? symbol('pcpu_hot') + layout.offset('pcpu_hot', name) : symbol(name));
  const start = symbol('__per_cpu_start');
  const end = symbol('__per_cpu_end');
  const size = end - start;
  const memory = machine.memory;
  const template = memory.read(start, Number(size));
  const offsets: bigint[] = [];
  const preemptCount = machine.symbols.get('__preempt_count')?.address ?? (layout.has('pcpu_hot', 'preempt_count') ? variable('preempt_count') : undefined);
  const canaryOf = (id: number) => CANARY + (BigInt(id) << 16n);
  const offsetOf = (id: number): bigint => {
    const known = offsets[id];
    if (known !== undefined) return known;
    const base = machine.allocate(size, `the per-CPU area of CPU ${id}`);
    memory.write(base, template);
    // A per-CPU variable of CPU n is at its link address + __per_cpu_offset[n], and %gs holds that offset.
    const offset = base - start;
    // __per_cpu_offset is __ro_after_init: written while boot still may.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, offset, true);
    memory.write(symbol('__per_cpu_offset') + 8n * BigInt(id), bytes, { force: true });
    memory.writeU64(variable('this_cpu_off') + offset, offset);
    memory.writeU32(variable('cpu_number') + offset, id);
    if (preemptCount !== undefined) memory.writeU32(preemptCount + offset, PREEMPT_ENABLED);
    memory.writeU64(offset + STACK_CANARY_OFFSET, canaryOf(id));
    offsets[id] = offset;
    return offset;
  };
  const offsetOfCpu0 = offsetOf(0);
  memory.unmap(start & ~(PAGE_SIZE - 1n), size);
  memory.reserveGuard(
    start & ~(PAGE_SIZE - 1n),
    (size + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n),
    "vmlinux's per-CPU template (linked at 0; a NULL pointer, or a per-CPU variable read without %gs)",
  );
  const at = (name: string, id = 0) => variable(name) + offsetOf(id);
  memory.writeU64(at('current_task'), symbol('init_task'));
  const c = machine.cpu.state;
  c.gsLo = loOf(offsetOfCpu0);
  c.gsHi = hiOf(offsetOfCpu0);
  return { base: offsetOfCpu0 + start, canary: canaryOf(0), at, offsetOf, canaryOf };
}
