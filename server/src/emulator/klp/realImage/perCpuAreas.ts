import { hiOf, loOf } from '../../addr';
import { EmulatorError } from '../../faults';
import { Machine } from '../../machine';
import { PAGE_SIZE } from '../../memory';

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
  /** CPU 0's copy of a per-CPU variable (`current_task`, `runqueues`). */
  at(name: string): bigint;
}

/**
 * setup_per_cpu_areas() for CPU 0: the image's per-CPU template (`__per_cpu_start`..`__per_cpu_end`,
 * linked at virtual address 0) is copied to an area of its own, `__per_cpu_offset[0]` and that
 * area's `this_cpu_off` name it, MSR_GS_BASE points at it (so `%gs:current_task` reads CPU 0's),
 * `current_task` is `init_task`, and the template's range is left unmapped: page 0 faults, so a
 * NULL dereference or a per-CPU read without %gs is a fault, not a read of the template.
 */
export function placePerCpuAreas(machine: Machine, file: string): RealPerCpu {
  const symbol = (name: string) => {
    const found = machine.symbols.get(name);
    if (!found) throw new EmulatorError(`${file}: no symbol ${name} (the emulated vmlinux's per-CPU setup needs it)`);
    return found.address;
  };
  const start = symbol('__per_cpu_start');
  const end = symbol('__per_cpu_end');
  const size = end - start;
  const memory = machine.memory;
  const template = memory.read(start, Number(size));
  const base = machine.allocate(size, 'the per-CPU area of CPU 0');
  memory.write(base, template);
  memory.unmap(start & ~(PAGE_SIZE - 1n), size);
  memory.reserveGuard(
    start & ~(PAGE_SIZE - 1n),
    (size + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n),
    "vmlinux's per-CPU template (linked at 0; a NULL pointer, or a per-CPU variable read without %gs)",
  );
  // A per-CPU variable of CPU 0 is at its link address + __per_cpu_offset[0], and %gs holds that offset.
  const offsetOfCpu0 = base - start;
  const at = (name: string) => symbol(name) + offsetOfCpu0;
  // __per_cpu_offset is __ro_after_init: written while boot still may.
  const offset = new Uint8Array(8);
  new DataView(offset.buffer).setBigUint64(0, offsetOfCpu0, true);
  memory.write(symbol('__per_cpu_offset'), offset, { force: true });
  memory.writeU64(at('this_cpu_off'), offsetOfCpu0);
  memory.writeU64(at('current_task'), symbol('init_task'));
  if (machine.symbols.get('__preempt_count')) memory.writeU32(at('__preempt_count'), PREEMPT_ENABLED);
  memory.writeU64(offsetOfCpu0 + STACK_CANARY_OFFSET, CANARY);
  const c = machine.cpu.state;
  c.gsLo = loOf(offsetOfCpu0);
  c.gsHi = hiOf(offsetOfCpu0);
  return { base, canary: CANARY, at };
}
