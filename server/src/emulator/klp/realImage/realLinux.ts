import { ElfFile } from '../../../elf';
import { EmulatorError } from '../../faults';
import { Machine } from '../../machine';
import { PAGE_SIZE, Perm } from '../../memory';
import { faultOnUnmodelledHardware } from '../../nativeBinding';
import { TargetLayout } from '../layout';
import { realLinuxCpus } from './linuxCpus';
import { placePerCpuAreas, RealPerCpu } from './perCpuAreas';
import { RealProcesses } from './processes';

/** What marks a real vmlinux rather than the bundled sample target: its per-CPU machinery and run queues. */
export const REAL_LINUX_SYMBOLS = ['__per_cpu_start', '__per_cpu_end', '__per_cpu_offset', 'this_cpu_off', 'current_task', 'runqueues', 'init_task'];
/**
 * The kernel command line the emulated boot leaves in `saved_command_line`: the one the QEMU
 * runner boots the real kernel with (machines/qemu.ts), less its per-boot nonce, so
 * `cat /proc/cmdline` agrees with the real machine's once normalised.
 */
export const LINUX_COMMAND_LINE = 'console=ttyS0 panic=-1 nokaslr quiet tsc=unstable';
export const REAL_LINUX_DOCS = 'docs/emulator-real-linux.md';

export const isRealLinux = (machine: Machine): boolean => REAL_LINUX_SYMBOLS.every((name) => machine.symbols.get(name));

/** What the emulated boot of a real vmlinux set up. */
export interface RealLinuxBoot {
  perCpu: RealPerCpu;
  processes: RealProcesses;
  /** The image's functions that run as natives (allocators, the log store, the livepatch core's entry points). */
  natives: string[];
  /** mark_rodata_ro() and free_initmem(): after ftrace_init() has read __mcount_loc (init data). */
  endBoot(): void;
}

/**
 * Turns a loaded real vmlinux into a machine its code can run on, as start_kernel leaves CPU 0
 * once boot is done: CPU 0's per-CPU area with %gs at it and init_task current (the other
 * CPUs, each with its area and idle task, made when first used: linuxCpus.ts), page 0
 * unmapped, the command line saved, the processes' task_structs and stacks, and every system
 * instruction the machine does not model a named fault; `endBoot` then makes text read-only and
 * executable, rodata read-only, and frees init memory. See docs/emulator-real-linux.md.
 */
export function prepareRealLinux(machine: Machine, elf: ElfFile, layout: TargetLayout): RealLinuxBoot {
  const perCpu = placePerCpuAreas(machine, layout, elf.path);
  machine.makeCpu = realLinuxCpus(machine, layout, perCpu, elf.path);
  const processes = new RealProcesses(machine, layout, perCpu, elf.path);
  nameIdleTask(machine, layout, processes.symbols.initTask);
  saveCommandLine(machine, elf.path);
  fillPointerHashKey(machine);
  faultOnUnmodelledHardware(machine, REAL_LINUX_DOCS);
  const sections = elf.sections.map(({ name, addr, size }) => ({ name, addr, size }));
  return { perCpu, processes, natives: [], endBoot: () => protectAndFree(machine, sections) };
}

/** init_idle(): CPU 0's idle task is `swapper/0` (INIT_TASK_COMM and the CPU), as ps and an oops name it. */
function nameIdleTask(machine: Machine, layout: TargetLayout, initTask: bigint): void {
  const comm = initTask + layout.offset('task_struct', 'comm');
  machine.memory.writeCString(comm, `${machine.memory.readCString(comm, 16)}/0`.slice(0, 15));
}

/**
 * fill_ptr_key_workfn() once the RNG is ready (lib/vsprintf.c): `%p` prints a siphash of the
 * pointer with `ptr_key` instead of `(____ptrval____)`. The key is fixed, so runs are reproducible.
 */
function fillPointerHashKey(machine: Machine): void {
  const key = machine.symbols.get('ptr_key');
  const filled = machine.symbols.get('filled_random_ptr_key');
  if (!key || !filled) return;
  machine.memory.write(
    key.address,
    Uint8Array.from({ length: Number(key.size || 16n) }, (_, i) => (0x5a + 37 * i) & 0xff),
  );
  machine.memory.write(filled.address, new Uint8Array([1]));
}

/** setup_command_line(): `saved_command_line` points at the command line (allocated, as memblock does). */
function saveCommandLine(machine: Machine, file: string): void {
  const saved = machine.symbols.get('saved_command_line');
  if (!saved) throw new EmulatorError(`${file}: no saved_command_line (/proc/cmdline reads it)`);
  const line = machine.allocate(PAGE_SIZE, 'the saved kernel command line');
  machine.memory.writeCString(line, LINUX_COMMAND_LINE);
  machine.memory.writeU64(saved.address, line);
}

/**
 * mark_rodata_ro() and free_initmem(): .text read-only and executable, .rodata read-only, the
 * whole pages of the init sections unmapped and named, so a call into init code faults saying so.
 */
function protectAndFree(machine: Machine, sections: { name: string; addr: bigint; size: bigint }[]): void {
  for (const section of sections) {
    if (section.size === 0n || section.addr === 0n) continue;
    const start = section.addr & ~(PAGE_SIZE - 1n);
    const end = (section.addr + section.size + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
    if (section.name === '.text') machine.memory.protect(start, end - start, Perm.RX);
    else if (section.name === '.rodata') machine.memory.protect(start, end - start, Perm.Read);
    else if (section.name === '.init.text' || section.name === '.init.data') {
      // Only the pages wholly inside: the init sections share pages with their neighbours.
      const first = (section.addr + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
      const last = (section.addr + section.size) & ~(PAGE_SIZE - 1n);
      if (last <= first) continue;
      machine.memory.unmap(first, last - first);
      machine.memory.reserveGuard(first, last - first, `vmlinux's ${section.name}, freed at the end of boot (free_initmem)`);
    }
  }
}
