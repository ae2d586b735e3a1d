import { GuestSymbol } from '../../symbols';
import { KlpLayout, klpLayoutFrom, klpLayoutOf } from '../../../payload/klp/klpLayout';
import { GuestStep } from '../guestCode';
import type { KernelServices } from '../kernelServices';
import { KernelModule } from '../kernelModule';
import { defineSteps } from '../natives/define';
import { GuestCall, Steps } from './guestSteps';
import { KlpKernelModule, LivepatchHooks, LivepatchKernel } from './kernelPort';
import { writeKlpRelocations } from './klpRelocations';

// The livepatch core's port on the kernel model (KernelServices): the one place that knows how the
// kernel model is built. kallsyms is modelled here: vmlinux symbols in address order (what
// scripts/kallsyms emits), a module's in its symbol table's order (module_kallsyms_on_each_symbol),
// and a symbol's size is the distance to the next symbol, as kallsyms_lookup_size_offset() computes.

interface PortModule extends KlpKernelModule {
  readonly module: KernelModule;
}

/** The steps of a native as the kernel model's GuestCode continues them. */
function guestSteps(steps: Steps<bigint>, answer?: bigint): GuestStep {
  const next = answer === undefined ? steps.next() : steps.next(answer);
  if (next.done) return { result: next.value };
  const call: GuestCall = next.value;
  return { call: call.call, args: call.args, then: (rax) => guestSteps(steps, rax) };
}

export function linuxKernelPort(kernel: KernelServices): LivepatchKernel & { moduleOf(module: KernelModule): KlpKernelModule } {
  const modules = new WeakMap<KernelModule, PortModule>();
  // The kernel's livepatch core reads a module's klp structs as the kernel was compiled: by the
  // target's own DWARF (a real vmlinux's, from its index) when it describes them. The sample
  // target's has no klp structs, so there a module's own DWARF says (klpLayoutOf).
  let kernelLayout: KlpLayout | null | undefined;
  const klpLayout = (module: KernelModule): KlpLayout => (kernelLayout ??= klpLayoutFrom((name) => kernel.layout.find(name)) ?? null) ?? klpLayoutOf(module.elf);
  const port = (module: KernelModule | undefined): PortModule | undefined => {
    if (!module || module.state === 'gone') return undefined;
    let known = modules.get(module);
    if (!known) {
      known = { module, name: module.name, address: module.thisModule ?? 0n, livepatch: module.livepatch, klpLayout: klpLayout(module) };
      modules.set(module, known);
    }
    return known;
  };
  const kernelModule = (mod: KlpKernelModule): KernelModule => (mod as PortModule).module;
  const imageSymbols = (image: { symbols: GuestSymbol[] }): GuestSymbol[] => image.symbols.filter((s) => s.kind !== 'other');
  const self: ReturnType<typeof linuxKernelPort> = {
    moduleOf: (module) => port(module) ?? { name: module.name, address: 0n, livepatch: module.livepatch, klpLayout: klpLayout(module) },
    machine: kernel.machine,
    printk: (text) => kernel.log.printk(text),
    jiffies: () => kernel.clock.jiffies,
    HZ: kernel.HZ,
    scheduleWork: (delay, fn) => void kernel.timers.add(kernel.clock.nsAtJiffies(kernel.clock.jiffies + delay), fn),
    tasks: () => kernel.tasks.list(),
    currentTask: () => kernel.tasks.current(),
    wakeUp: (task) => void kernel.tasks.wakeUp(kernel.tasks.byPid(task.pid) ?? kernel.tasks.idle),
    findModule: (name) => port(kernel.modules.get(name)),
    moduleAt: (address) => port(kernel.modules.containing(address)),
    moduleGet: (mod) => {
      kernelModule(mod).refcount++;
      return true;
    },
    modulePut: (mod) => {
      kernelModule(mod).refcount--;
    },
    writeKlpRelocations: (patchModule, objectName, apply) => writeKlpRelocations(self, kernelModule(patchModule).image, objectName, apply),
    kallsymsLookup: (objectName, name) => {
      const image = objectName === null ? kernel.machine.images[0] : kernel.modules.get(objectName)?.image;
      if (!image) return [];
      if (objectName !== null)
        return imageSymbols(image)
          .filter((s) => s.name === name)
          .map((s) => s.address);
      // vmlinux's kallsyms order: by address.
      const symbols = kernel.machine.symbols.named(name).filter((s) => s.image === image.name && s.kind !== 'other');
      return symbols.map((s) => s.address).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    kallsymsSize: (address) => {
      const hit = kernel.machine.symbols.at(address);
      if (!hit) return undefined;
      if (!kernel.machine.images.some((i) => i.name === hit.symbol.image)) return hit.symbol.size || undefined;
      const next = kernel.machine.symbols.nextAbove(hit.symbol.address, hit.symbol.image);
      return next !== undefined ? next.address - hit.symbol.address : hit.symbol.size || undefined;
    },
    ftraceSite: (func) => kernel.ftrace.siteOf(func),
    setTraced: (site, traced) => kernel.ftrace.setTraced(site, traced),
    registerFile: (path, file) => kernel.fs.register(path, file),
    unregisterFiles: (prefix) => kernel.fs.unregister(prefix),
    callGuest: (address, args) => {
      const result = kernel.callAtomic(address, args);
      return result.status === 'returned' ? { ok: true, rax: result.rax } : { ok: false, problem: result.fault?.message ?? result.stopReason ?? result.status };
    },
    defineNative: (name, body) => defineSteps(kernel, name, (ctx) => guestSteps(body(ctx))),
  };
  return self;
}

/** The kernel model's notifiers and task hooks, wired to the core's. */
export function hookLinuxKernel(kernel: KernelServices, port: ReturnType<typeof linuxKernelPort>, hooks: LivepatchHooks): void {
  // apply_relocations() of load_module: a module's .klp.rela.vmlinux.* sections are written at load.
  kernel.modules.onComing((m) => writeKlpRelocations(port, m.image, 'vmlinux', true) || hooks.moduleComing(port.moduleOf(m)));
  kernel.modules.onGoing((m) => hooks.moduleGoing(port.moduleOf(m)));
  kernel.tasks.onUserReturn((task) => hooks.updatePatchState(task));
  kernel.tasks.onIdle(() => hooks.updatePatchState(kernel.tasks.idle));
  kernel.tasks.onNewTask((task) => {
    const parent = kernel.tasks.current();
    if (parent !== task) hooks.copyProcess(task, parent);
  });
}
