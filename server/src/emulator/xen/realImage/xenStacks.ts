import { Machine } from '../../machine';
import { PAGE_SIZE, Perm } from '../../memory';
import { Task } from '../../tasks';
import { XenLayout } from './xenLayout';

/** Xen x86-64's DIRECTMAP_VIRT_START: alloc_xenheap_pages() memory, where the CPUs' stacks live. */
const DIRECTMAP = 0xffff830000000000n;

/** What a stack's cpu_info says: the CPU, the vCPU it runs (its idle one), its per-CPU offset. */
export interface CpuIdentity {
  processorId: number;
  currentVcpu: bigint;
  perCpuOffset: bigint;
}

/**
 * Gives every task a stack laid out as Xen's (asm/current.h): STACK_SIZE-aligned, the primary
 * stack in the top two pages with `struct cpu_info` at the very top, the page below it a guard
 * (the primary shadow stack, not present without CET), the IST pages left unmapped. get_cpu_info(),
 * smp_processor_id(), current and this_cpu() then work from %rsp as on the real hypervisor.
 * A task's cpu_info names CPU 0 (`boot`); the returned function makes a task on another CPU.
 */
export function placeXenStacks(machine: Machine, layout: XenLayout, boot: CpuIdentity): (cpu: CpuIdentity, name: string) => Task {
  let next = DIRECTMAP;
  let cpu = boot;
  const { cpuInfo } = layout;
  machine.stackPlacement = (name) => {
    const block = next;
    next += layout.stackSize;
    const top = block + layout.stackSize;
    const primary = top - 2n * PAGE_SIZE;
    machine.memory.reserveGuard(primary - PAGE_SIZE, PAGE_SIZE, `the guard page below Xen's primary stack of '${name}' (stack overflow)`);
    machine.memory.map(primary, 2n * PAGE_SIZE, Perm.RW, `Xen stack of '${name}'`);
    const info = top - cpuInfo.size;
    machine.memory.writeU32(info + cpuInfo.processorId, cpu.processorId);
    machine.memory.writeU64(info + cpuInfo.currentVcpu, cpu.currentVcpu);
    machine.memory.writeU64(info + cpuInfo.perCpuOffset, cpu.perCpuOffset);
    // Calls start below it, 16-byte aligned as the SysV ABI has a function entered.
    return { base: primary, top: info & ~15n };
  };
  return (on, name) => {
    cpu = on;
    try {
      return machine.createTask(name);
    } finally {
      cpu = boot;
    }
  };
}
