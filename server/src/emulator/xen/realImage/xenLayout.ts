import { DwarfReader, ElfFile } from '../../../elf';
import { EmulatorError } from '../../faults';
import { Machine } from '../../machine';

/**
 * What a real Xen's code expects of its stacks and per-CPU data: STACK_SIZE (the size of the
 * image's own `cpu0_stack`), and the offsets of `struct cpu_info` (which Xen keeps at the top of
 * every STACK_SIZE-aligned stack and finds from %rsp), `struct vcpu` and `struct domain` the
 * idle vCPU needs. From the image's DWARF when it has some; Debian's xen-syms has none, so
 * then from Xen 4.17's x86-64 headers (asm/current.h, xen/sched.h) — the offsets its code uses:
 * `or $(STACK_SIZE-1),%reg` then -0x3f (processor_id), -0x37 (current_vcpu), -0x2f (per_cpu_offset).
 */
export interface XenLayout {
  stackSize: bigint;
  cpuInfo: { size: bigint; processorId: bigint; currentVcpu: bigint; perCpuOffset: bigint };
  vcpu: { vcpuId: bigint; processor: bigint; domain: bigint };
  domain: { domainId: bigint };
}

// prettier-ignore
const XEN_4_17: Omit<XenLayout, 'stackSize'> = {
  cpuInfo: { size: 0x108n, processorId: 0xc8n, currentVcpu: 0xd0n, perCpuOffset: 0xd8n },
  vcpu: { vcpuId: 0n, processor: 4n, domain: 16n },
  domain: { domainId: 0n },
};

export function xenLayout(machine: Machine, elf: ElfFile): XenLayout {
  const stack = machine.symbols.get('cpu0_stack');
  if (!stack || stack.size === 0n || (stack.size & (stack.size - 1n)) !== 0n)
    throw new EmulatorError(`${elf.path}: no cpu0_stack of a power-of-two size: STACK_SIZE is read from it`);
  if (!elf.section('.debug_info')) return { stackSize: stack.size, ...XEN_4_17 };
  const structs = new DwarfReader(elf).scanColumns().structs;
  const struct = (name: string) => {
    const layout = structs.get(name);
    if (!layout) throw new EmulatorError(`${elf.path}: the DWARF has no struct ${name} (the emulated Xen needs its layout)`);
    return layout;
  };
  const offset = (name: string, member: string): bigint => {
    const found = struct(name).members.find((m) => m.name === member);
    if (!found) throw new EmulatorError(`${elf.path}: struct ${name} has no member '${member}' in the DWARF (the emulated Xen needs it)`);
    return BigInt(found.offset);
  };
  // prettier-ignore
  return {
    stackSize: stack.size,
    cpuInfo: { size: BigInt(struct('cpu_info').size), processorId: offset('cpu_info', 'processor_id'), currentVcpu: offset('cpu_info', 'current_vcpu'), perCpuOffset: offset('cpu_info', 'per_cpu_offset') },
    vcpu: { vcpuId: offset('vcpu', 'vcpu_id'), processor: offset('vcpu', 'processor'), domain: offset('vcpu', 'domain') },
    domain: { domainId: offset('domain', 'domain_id') },
  };
}
