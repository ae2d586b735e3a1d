import { fromPair } from '../../addr';
import { imageSymbol, setCpuBit } from '../../imageCpus';
import { CpuSetup, Machine } from '../../machine';
import { PAGE_SIZE } from '../../memory';
import { Task } from '../../tasks';
import { XenLayout } from './xenLayout';
import { CpuIdentity } from './xenStacks';

/**
 * What CPU n of a real xen-syms is (machine.makeCpu), as cpu_up() and start_secondary() leave
 * it: init_percpu_area()'s area (alloc_xenheap_pages, then memset 0 — Xen zeroes a secondary
 * CPU's per-CPU data rather than copying the template, and each subsystem's CPU_UP_PREPARE
 * notifier fills its own) at `__per_cpu_offset[n]`; its idle vCPU — vcpu_create(idle_domain, n),
 * here a copy of vCPU 0's struct with vcpu_id and processor n, in `idle_vcpu[n]` and its
 * `curr_vcpu`; its stacks' cpu_info saying processor_id n, that vCPU and that offset; its bit
 * in cpu_online_map. CPU 0 keeps boot's (the image's static per-CPU area, offset 0). At the
 * first CPU, nr_cpu_ids and cpu_present_map say the session's CPU count (QEMU's -smp N).
 */
export function realXenCpus(
  machine: Machine,
  layout: XenLayout,
  boot: CpuIdentity,
  taskOn: (cpu: CpuIdentity, name: string) => Task,
  file: string,
): (id: number, cpus: number) => CpuSetup {
  const memory = machine.memory;
  const symbol = (name: string) => imageSymbol(machine, file, name, "the emulated hypervisor's other CPUs");
  const setBit = (mask: string, id: number) => setCpuBit(machine, symbol(mask), id);
  const start = symbol('__per_cpu_start');
  const size = symbol('__per_cpu_data_end') - start;
  const currVcpu = machine.symbols.get('per_cpu__curr_vcpu')?.address;
  // Xen 4.17 keeps no per-CPU base in %gs (this_cpu() goes through cpu_info): the one boot left stays.
  const c = machine.cpu.state;
  const gsBase = fromPair(c.gsLo, c.gsHi);
  return (id, cpus) => {
    if (id === 0) {
      memory.writeU32(symbol('nr_cpu_ids'), cpus);
      for (let cpu = 0; cpu < cpus; cpu++) setBit('cpu_present_map', cpu);
      setBit('cpu_online_map', 0);
      if (currVcpu !== undefined) memory.writeU64(currVcpu + boot.perCpuOffset, boot.currentVcpu);
      return { task: taskOn(boot, 'cpu0 interrupts'), gsBase };
    }
    const area = machine.allocate((size + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n), `the per-CPU area of CPU ${id}`);
    const perCpuOffset = area - start;
    memory.writeU64(symbol('__per_cpu_offset') + 8n * BigInt(id), perCpuOffset);
    const vcpu = machine.allocate(PAGE_SIZE, `the idle vCPU ${id} (struct vcpu)`);
    memory.write(vcpu, memory.read(boot.currentVcpu, Number(PAGE_SIZE)));
    memory.writeU32(vcpu + layout.vcpu.vcpuId, id);
    memory.writeU32(vcpu + layout.vcpu.processor, id);
    memory.writeU64(symbol('idle_vcpu') + 8n * BigInt(id), vcpu);
    if (currVcpu !== undefined) memory.writeU64(currVcpu + perCpuOffset, vcpu);
    setBit('cpu_online_map', id);
    return { task: taskOn({ processorId: id, currentVcpu: vcpu, perCpuOffset }, `idle vCPU d32767v${id}`), gsBase };
  };
}
