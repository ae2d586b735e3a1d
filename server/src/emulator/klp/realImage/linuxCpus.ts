import { imageSymbol, setCpuBit } from '../../imageCpus';
import { CpuSetup, Machine } from '../../machine';
import { TargetLayout } from '../layout';
import { RealPerCpu } from './perCpuAreas';
import { THREAD_SIZE } from './processes';

/** The cpumasks (include/linux/cpumask.h) of every CPU QEMU's -smp N gives, and of the CPUs brought up. */
const EVERY_CPU_MASKS = ['__cpu_possible_mask', '__cpu_present_mask'];
const UP_CPU_MASKS = ['__cpu_online_mask', '__cpu_active_mask'];

/**
 * What CPU n of a real vmlinux is (machine.makeCpu), as smp_init() and do_boot_cpu() leave it:
 * its own copy of the per-CPU template (perCpuAreas.ts), and `current_task` its idle task
 * `swapper/n` — fork_idle()'s copy of init_task (pid 0, the init nsproxy, cred and mm of the
 * boot CPU's idle task), with `cpu` = n, its own stack (the top THREAD_SIZE of the CPU's
 * emulator task, so `cpu_current_top_of_stack` is where that task's calls start) and its own
 * stack canary, the one %gs:40 holds on that CPU. CPU 0 keeps init_task and boot's area. The
 * cpumasks say the CPUs in use are online, and nr_cpu_ids is the session's CPU count (QEMU's
 * -smp N: every one possible and present).
 */
export function realLinuxCpus(machine: Machine, layout: TargetLayout, perCpu: RealPerCpu, file: string): (id: number, cpus: number) => CpuSetup {
  const memory = machine.memory;
  const symbol = (name: string) => imageSymbol(machine, file, name, "the emulated vmlinux's other CPUs");
  const setBit = (mask: string, id: number) => setCpuBit(machine, symbol(mask), id);
  const member = (name: string) => (layout.has('task_struct', name) ? layout.offset('task_struct', name) : undefined);
  const taskSize = BigInt(layout.size('task_struct'));
  const initTask = symbol('init_task');
  return (id, cpus) => {
    if (id === 0) {
      memory.writeU32(symbol('nr_cpu_ids'), cpus);
      for (let cpu = 0; cpu < cpus; cpu++) for (const mask of EVERY_CPU_MASKS) setBit(mask, cpu);
    }
    const offset = perCpu.offsetOf(id);
    for (const mask of UP_CPU_MASKS) setBit(mask, id);
    const numOnline = machine.symbols.get('__num_online_cpus');
    if (numOnline) memory.writeU32(numOnline.address, memory.readU32(numOnline.address) + 1);
    const task = machine.createTask(id === 0 ? 'cpu0 interrupts' : `swapper/${id}`);
    if (id === 0) return { task, gsBase: offset };
    const idle = machine.allocate(taskSize, `the idle task of CPU ${id} (swapper/${id})`);
    memory.write(idle, memory.read(initTask, Number(taskSize)));
    const comm = idle + layout.offset('task_struct', 'comm');
    memory.write(comm, new Uint8Array(16));
    memory.writeCString(comm, `swapper/${id}`);
    const cpuField = member('cpu') ?? (layout.has('thread_info', 'cpu') ? layout.offset('task_struct', 'thread_info.cpu') : undefined);
    if (cpuField !== undefined) memory.writeU32(idle + cpuField, id);
    const stack = task.stackTop - THREAD_SIZE;
    memory.writeU64(idle + layout.offset('task_struct', 'stack'), stack);
    const canary = member('stack_canary');
    if (canary !== undefined) memory.writeU64(idle + canary, perCpu.canaryOf(id));
    memory.writeU64(perCpu.at('current_task', id), idle);
    if (machine.symbols.get('cpu_current_top_of_stack')) memory.writeU64(perCpu.at('cpu_current_top_of_stack', id), task.stackTop);
    return { task, gsBase: offset };
  };
}
