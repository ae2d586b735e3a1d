import { ElfFile } from '../../../elf';
import { builtinNatives } from '../../builtinNatives';
import { EmulatorError } from '../../faults';
import { Machine } from '../../machine';
import { PAGE_SIZE, Perm } from '../../memory';
import { XenConsole } from '../console';
import { bindNative, faultOnUnmodelledHardware } from '../../nativeBinding';
import { bindBoundaryNatives } from './boundaryNatives';
import { readConsoleRing } from './conring';
import { xenLayout, XenLayout } from './xenLayout';
import { realXenCpus } from './xenCpus';
import { placeXenStacks } from './xenStacks';

/** The hypervisor command line the emulated boot parses: the one the QEMU runner boots real Xen with, for its console. */
export const XEN_COMMAND_LINE = 'loglvl=all guest_loglvl=all';
/** DOMID_IDLE (public/xen.h): the idle domain's id. */
const DOMID_IDLE = 0x7fff;
/** What marks a real xen-syms rather than the bundled sample target: its per-CPU machinery. */
export const REAL_XEN_SYMBOLS = ['cpu0_stack', '__per_cpu_start', '__per_cpu_offset', 'idle_vcpu'];
/**
 * The steps of __start_xen the emulator replays as the image's own code, in its order, each
 * when the image has it (with the symbols its arguments name): what the functions patches
 * reach read what these set. The rest of boot is hardware discovery and domain building.
 */
const BOOT_CALLS: ({ name: string; args?: string[] } | { store: string; value: number })[] = [
  { name: 'percpu_init_areas' },
  { name: 'cmdline_parse', args: ['<command line>'] },
  { name: 'setup_virtual_regions', args: ['__start___ex_table', '__stop___ex_table'] },
  { name: 'smp_prepare_boot_cpu' },
  { name: 'tasklet_subsys_init' },
  { name: 'console_init_postirq' },
  // init_done(): SYS_STATE_active (enum system_state in xen/kernel.h: early_boot, boot, smp_boot, active).
  { store: 'system_state', value: 3 },
  { name: 'unregister_init_virtual_region' },
];
/** The livepatch core's functions the emulated runtime carries out itself (xen/natives.ts). */
const RUNTIME_ENTRY_POINTS = ['arch_livepatch_apply', 'arch_livepatch_revert', 'common_livepatch_apply', 'common_livepatch_revert'];

export const isRealXen = (machine: Machine): boolean => REAL_XEN_SYMBOLS.every((name) => machine.symbols.get(name));

/** What the emulated boot set up, for `reset`'s banner and the docs' figures. */
export interface RealXenBoot {
  layout: XenLayout;
  /** The image's functions that run as natives (hardware boundary, allocators, the runtime's entry points). */
  natives: string[];
  bootMs: number;
}

/**
 * Turns a loaded real xen-syms into a machine its code can run on, as __start_xen leaves CPU 0
 * once boot is done: the idle domain's vCPU 0 current on a Xen-layout stack (cpu_info at the
 * top, per-CPU offset of CPU 0; the other CPUs, each with its area and idle vCPU, made when
 * first used: xenCpus.ts), the per-CPU areas and command-line parameters set by the
 * image's own boot functions, the console ring as the call output, the hardware and allocator
 * functions as natives, text and rodata read-only and the init sections freed. See
 * docs/emulator-real-xen.md.
 */
export function prepareRealXen(machine: Machine, elf: ElfFile): RealXenBoot {
  const started = Date.now();
  const layout = xenLayout(machine, elf);
  const perCpuOffset = machine.memory.readU64(address(machine, '__per_cpu_offset'));
  const idle = idleVcpu(machine, layout);
  const cpu0 = { processorId: 0, currentVcpu: idle, perCpuOffset };
  machine.makeCpu = realXenCpus(machine, layout, cpu0, placeXenStacks(machine, layout, cpu0), elf.path);
  machine.switchTo(machine.createTask('idle vCPU d32767v0'));
  machine.memory.writeU64(address(machine, 'idle_vcpu'), idle);
  const natives = bindBoundaryNatives(machine);
  for (const spec of builtinNatives) if (spec.name === 'panic' && bindNative(machine, spec.name)) natives.push(spec.name);
  faultOnUnmodelledHardware(machine, 'docs/emulator-real-xen.md');
  boot(machine, elf.path);
  protectAndFree(machine, elf);
  machine.guestConsole = readConsoleRing(machine);
  return { layout, natives, bootMs: Date.now() - started };
}

/** After the runtime defined its natives: its entry points replace the image's, and the console takes the ring's own prefixes. */
export function attachRuntime(machine: Machine, boot: RealXenBoot, console: XenConsole): void {
  for (const name of RUNTIME_ENTRY_POINTS) if (bindNative(machine, name)) boot.natives.push(name);
  if (machine.guestConsole) console.guestPrefix = '';
}

function address(machine: Machine, name: string): bigint {
  const symbol = machine.symbols.get(name);
  if (!symbol) throw new EmulatorError(`the hypervisor image has no ${name}`);
  return symbol.address;
}

/** The idle domain and its vCPU 0, a page each (Xen allocates both so), the fields the code reads set. */
function idleVcpu(machine: Machine, layout: XenLayout): bigint {
  const domain = machine.allocate(PAGE_SIZE, 'the idle domain (struct domain)');
  const vcpu = machine.allocate(PAGE_SIZE, 'the idle vCPU 0 (struct vcpu)');
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, DOMID_IDLE, true);
  machine.memory.write(domain + layout.domain.domainId, bytes);
  machine.memory.writeU32(vcpu + layout.vcpu.vcpuId, 0);
  machine.memory.writeU32(vcpu + layout.vcpu.processor, 0);
  machine.memory.writeU64(vcpu + layout.vcpu.domain, domain);
  return vcpu;
}

function boot(machine: Machine, file: string): void {
  const commandLine = machine.allocate(PAGE_SIZE, 'the hypervisor command line');
  machine.memory.writeCString(commandLine, XEN_COMMAND_LINE);
  for (const step of BOOT_CALLS) {
    if ('store' in step) {
      machine.memory.writeU32(address(machine, step.store), step.value);
      continue;
    }
    const { name, args = [] } = step;
    if (!machine.symbols.get(name) || !args.every((arg) => arg === '<command line>' || machine.symbols.get(arg))) continue;
    const result = machine.call(
      name,
      args.map((arg) => (arg === '<command line>' ? commandLine : address(machine, arg))),
    );
    if (result.status !== 'returned') throw new EmulatorError(`${file}: the emulated boot stopped in ${name}: ${result.fault?.report() ?? result.stopReason}`);
  }
}

/** What Xen does at the end of boot: text read-only and executable, rodata read-only, init memory given back. */
function protectAndFree(machine: Machine, elf: ElfFile): void {
  for (const section of elf.sections) {
    if (section.size === 0n || section.addr === 0n) continue;
    const start = section.addr & ~(PAGE_SIZE - 1n);
    const size = section.addr + section.size - start;
    if (section.name === '.text') machine.memory.protect(start, size, Perm.RX);
    else if (section.name === '.rodata') machine.memory.protect(start, size, Perm.Read);
    else if (section.name.startsWith('.init.')) {
      machine.memory.unmap(start, size);
      machine.memory.reserveGuard(start, size, `Xen's ${section.name}, freed at the end of boot`);
    }
  }
}
