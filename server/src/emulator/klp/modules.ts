import { ElfFile, parseElf, SHN, STB } from '../../elf';
import { EmulatorError } from '../faults';
import { LoadedImage, LoaderError } from '../loader';
import { readModinfo } from '../../payload/modinfo';
import { SHF_RELA_LIVEPATCH } from '../../payload/klp/klpNames';
import { EEXIST, EINVAL, ENOENT, ENOEXEC } from './errno';
import { readMcountTable } from './ftrace';
import { KernelModule } from './kernelModule';
import type { KernelServices, ModuleHook, ModuleList } from './kernelServices';
import { applyModuleParams, readModuleParams, registerParamFiles } from './moduleParams';
import { checkAgainstAbi, simplifySymbols, TaintState } from './abiChecks';
import { asKernelReadsIt, moduleFile, ModuleFile, ModuleFileError } from '../../payload/klp/moduleFile';
import { linuxRelocate } from './moduleRelocations';
import { ProcessEnded } from './processEnded';

/** Why a load or removal failed: the errno the system call returns. */
export class ModuleError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

/** Taints in /proc/sys/kernel/tainted (include/linux/panic.h bit numbers). */
const TAINT_OOT_MODULE = 12;
const TAINT_UNSIGNED_MODULE = 13;
export const TAINT_LIVEPATCH = 15;

/**
 * The module loader of kernel/module/main.c: load_module (modinfo checks and taints, symbols
 * resolved against the kernel and earlier modules, relocations applied, ftrace sites, the coming
 * notifiers, parameters, init in the insmod process) and delete_module (in-use refusals, exit in
 * the rmmod process, the going notifiers, the memory freed).
 */
export class KernelModules implements ModuleList, TaintState {
  private readonly loaded: KernelModule[] = [];
  private readonly comingHooks: ModuleHook[] = [];
  private readonly goingHooks: ModuleHook[] = [];
  taints = 0;
  lockDebugOff?: boolean;
  spectreWarned?: boolean;

  constructor(private readonly kernel: KernelServices) {}

  list(): readonly KernelModule[] {
    return this.loaded;
  }

  get(name: string): KernelModule | undefined {
    return this.loaded.find((m) => m.name === name);
  }

  /** The module whose memory holds `address` (a klp_patch's mod, a function of a module). */
  containing(address: bigint): KernelModule | undefined {
    return this.loaded.find((m) => m.contains(address));
  }

  /** MODULE_STATE_COMING (klp_module_coming): runs before the module's init; a negative result refuses the module. */
  onComing(hook: ModuleHook): void {
    this.comingHooks.push(hook);
  }

  /** MODULE_STATE_GOING (klp_module_going): runs after the module's exit, or when a coming module fails. */
  onGoing(hook: ModuleHook): void {
    this.goingHooks.push(hook);
  }

  /** init_module(2): loads, links and initialises a module; throws ModuleError with the errno. */
  load(file: string, bytes: Uint8Array, args: string[] = []): KernelModule {
    const log = this.kernel.log;
    const abi = this.kernel.options.abi;
    let raw: ModuleFile | undefined;
    if (abi) {
      try {
        raw = moduleFile(bytes);
      } catch (error) {
        if (!(error instanceof ModuleFileError)) throw error;
        log.printk(`\x01${/^Invalid|^ELF|^empty/.test(error.line) ? 3 : 4}${error.line}\n`);
        throw new ModuleError(ENOEXEC, error.message);
      }
    }
    let elf: ElfFile;
    try {
      elf = parseElf(raw ? asKernelReadsIt(bytes) : Buffer.from(bytes), file);
      if (!elf.sections.some((s) => s.name === '.gnu.linkonce.this_module')) throw new Error('no .gnu.linkonce.this_module section');
    } catch {
      throw new ModuleError(ENOEXEC, 'not a module');
    }
    const modinfo = new Map((readModinfo(elf)?.entries ?? []).map((e) => [e.key, e.value] as [string, string]));
    const name = raw?.structName ?? modinfo.get('name') ?? moduleNameOf(file);
    const mine = { taints: 0 };
    if (raw && abi) {
      const context = { log, abi, file: raw, state: this, mine, moduleExports: new Set(this.loaded.flatMap((m) => [...m.exports])) };
      const refused = checkAgainstAbi(context);
      if (refused) throw new ModuleError(-refused, 'refused by the module ABI checks');
      // add_unformed_module() looks the name up with a fortified strlen(): 56 bytes and no NUL is a BUG().
      if (raw.structName.length >= 56) {
        log.printk('\x010detected buffer overflow in __fortify_strlen\n');
        log.printk('\x014kernel BUG at lib/string_helpers.c:1027!\n');
        throw new ProcessEnded('SIGSEGV', 'struct module name without its NUL');
      }
      if (this.get(name)) throw new ModuleError(EEXIST, `module ${name} is already loaded`);
      this.taintUnsigned(name, mine);
      const unresolved = simplifySymbols(
        context,
        elf,
        (symbol) => this.kernel.machine.symbols.global(symbol) !== undefined || this.kernel.machine.natives.id(symbol) !== undefined,
      );
      if (unresolved) throw new ModuleError(-unresolved, 'unresolved symbols');
    } else {
      if (this.get(name)) throw new ModuleError(EEXIST, `module ${name} is already loaded`);
      const vermagic = this.kernel.options.vermagic;
      if (vermagic !== undefined && modinfo.get('vermagic') !== vermagic) {
        log.printk(`\x013${name}: version magic '${modinfo.get('vermagic') ?? ''}' should be '${vermagic}'\n`);
        throw new ModuleError(ENOEXEC, 'version magic');
      }
      mine.taints = this.taint(name, modinfo);
      const unknown = this.unknownSymbols(elf);
      if (unknown.length) {
        for (const symbol of unknown) log.printk(`\x014${name}: Unknown symbol ${symbol} (err -${ENOENT})\n`);
        throw new ModuleError(ENOENT, `unknown symbols ${unknown.join(', ')}`);
      }
    }
    const moduleTaints = mine.taints;
    let image: LoadedImage;
    try {
      // A livepatch module's .klp.rela sections wait for the livepatch core (module-elf-format.rst).
      image = this.kernel.machine.loadObject(elf, name, { defer: (rela) => (rela.flags & SHF_RELA_LIVEPATCH) !== 0n, rules: { relocate: linuxRelocate(name) } });
    } catch (error) {
      if (!(error instanceof LoaderError || error instanceof EmulatorError)) throw error;
      for (const line of error.message.replace(`${name}: `, '').split('\n')) log.printk(`\x013${line.startsWith('module: ') ? line : `${name}: ${line}`}\n`);
      throw new ModuleError(ENOEXEC, error.message);
    }
    const mod = new KernelModule(name, file, elf, image, modinfo);
    const memory = this.kernel.machine.memory;
    mod.taints = moduleTaints;
    mod.setState('coming', memory);
    this.loaded.push(mod);
    this.linkUses(mod);
    this.addFtraceSites(mod);
    try {
      this.notify(this.comingHooks, mod, true);
    } catch (error) {
      // 6.1's prepare_coming_module(): a refusing klp_module_coming() has undone its own work, and
      // load_module() goes to bug_cleanup, past the going notifiers and klp_module_going().
      mod.setState('going', memory);
      this.free(mod);
      throw error;
    }
    try {
      mod.params = readModuleParams(this.kernel, mod);
      // mod_sysfs_setup() -> add_sysfs_param() reads kp->ops: a NULL one (an unresolved weak param_ops_*) is an oops.
      if (abi && mod.params.some((p) => p.opsAddress === 0n)) {
        log.printk('\x011BUG: kernel NULL pointer dereference, address: 0000000000000000\n');
        throw new ProcessEnded('SIGKILL', 'kernel_param with NULL ops');
      }
      const bad = applyModuleParams(this.kernel, mod, args);
      if (bad) throw new ModuleError(EINVAL, bad);
      registerParamFiles(this.kernel, mod);
      const init = mod.symbol('init_module');
      if (init !== undefined) {
        const result = this.kernel.syscall('insmod', init);
        if (result.status !== 'returned') throw ProcessEnded.of(result);
        const ret = Number(BigInt.asIntN(32, result.value));
        if (ret > 0) log.printk(`\x014${name}: 'init_module'->init suspiciously returned ${ret}, it should follow 0/-E convention\n`);
        if (ret < 0) throw new ModuleError(-ret, `init returned ${ret}`);
      }
    } catch (error) {
      mod.setState('going', memory);
      this.notify(this.goingHooks, mod, false);
      this.free(mod);
      throw error;
    }
    mod.setState('live', memory);
    return mod;
  }

  /**
   * delete_module(2) after kmod's checks: runs exit, the going notifiers, and frees the module.
   * Throws ProcessEnded when exit's process never returned; the module is freed all the same,
   * where the real kernel would leave it GOING for good.
   */
  remove(mod: KernelModule): void {
    mod.setState('going', this.kernel.machine.memory);
    const exit = mod.symbol('cleanup_module');
    const ended = exit !== undefined ? this.kernel.syscall('rmmod', exit) : undefined;
    this.notify(this.goingHooks, mod, false);
    this.free(mod);
    if (ended?.status === 'failed') throw ProcessEnded.of(ended);
  }

  private notify(hooks: ModuleHook[], mod: KernelModule, mayRefuse: boolean): void {
    for (const hook of hooks) {
      const ret = hook(mod);
      if (mayRefuse && typeof ret === 'number' && ret < 0) throw new ModuleError(-ret, `refused by a coming notifier (${ret})`);
    }
  }

  private free(mod: KernelModule): void {
    this.kernel.fs.unregister(`/sys/module/${mod.name}`);
    this.kernel.ftrace.removeSites(mod.image.start, mod.image.end);
    for (const used of mod.uses) used.usedBy.delete(mod);
    this.kernel.machine.unloadObject(mod.image);
    this.loaded.splice(this.loaded.indexOf(mod), 1);
    mod.setState('gone', this.kernel.machine.memory);
  }

  /** The signature notice of add_unformed_module()'s caller: every module here is unsigned. */
  private taintUnsigned(name: string, mine: { taints: number }): void {
    if (!(this.taints & (1 << TAINT_UNSIGNED_MODULE)))
      this.kernel.log.printk(`\x015${name}: module verification failed: signature and/or required key missing - tainting kernel\n`);
    this.taints |= 1 << TAINT_UNSIGNED_MODULE;
    mine.taints |= 1 << TAINT_UNSIGNED_MODULE;
  }

  /** The taints load_module adds, each announced once per boot as the kernel does; returns the module's. */
  private taint(name: string, modinfo: Map<string, string>): number {
    const log = this.kernel.log;
    let mine = 0;
    const add = (bit: number, text: string, level: number) => {
      if (!(this.taints & (1 << bit))) log.printk(`\x01${level}${name}: ${text}\n`);
      this.taints |= 1 << bit;
      mine |= 1 << bit;
    };
    if (modinfo.get('intree') !== 'Y') add(TAINT_OOT_MODULE, 'loading out-of-tree module taints kernel.', 4);
    if (modinfo.get('livepatch') === 'Y') add(TAINT_LIVEPATCH, 'tainting kernel with TAINT_LIVEPATCH', 5);
    add(TAINT_UNSIGNED_MODULE, 'module verification failed: signature and/or required key missing - tainting kernel', 5);
    return mine;
  }

  /**
   * Undefined, non-weak symbols that neither the kernel (the target, its natives and data), nor
   * a loaded module's exports define (resolve_symbol's -ENOENT).
   */
  private unknownSymbols(elf: ElfFile): string[] {
    const machine = this.kernel.machine;
    const target = machine.images[0]?.name;
    const own = new Set(
      elf
        .symbols()
        .filter((s) => s.shndx !== SHN.UNDEF && s.bind !== STB.LOCAL)
        .map((s) => s.name),
    );
    const exported = new Set(this.loaded.flatMap((m) => [...m.exports]));
    const known = (name: string) => {
      const symbol = machine.symbols.global(name);
      return (
        (symbol !== undefined && (symbol.image === target || symbol.image === 'natives' || symbol.image === 'kernel')) ||
        machine.natives.id(name) !== undefined ||
        exported.has(name)
      );
    };
    const names = elf
      .symbols()
      .filter((s) => s.index > 0 && s.name && s.shndx === SHN.UNDEF && s.bind !== STB.WEAK && !own.has(s.name))
      .map((s) => s.name)
      .filter((n) => !known(n));
    return [...new Set(names)];
  }

  /** Which loaded modules it links against (their exports): those cannot go before it. */
  private linkUses(mod: KernelModule): void {
    for (const s of mod.elf.symbols()) {
      if (s.shndx !== SHN.UNDEF || !s.name) continue;
      const definer = this.loaded.find((m) => m !== mod && m.exports.has(s.name));
      if (definer) {
        definer.usedBy.add(mod);
        mod.uses.add(definer);
      }
    }
  }

  /**
   * ftrace_module_init(): the module's __mcount_loc sites become NOPs until traced. With a real
   * kernel's ABI, ftrace_verify_code() first checks each site calls __fentry__: one that does not
   * is ftrace_bug() (its WARNs, and ftrace left alone), and the site stays as it was.
   */
  private addFtraceSites(mod: KernelModule): void {
    const section = mod.image.sections.find((s) => s.name === '__mcount_loc');
    if (!section) return;
    const machine = this.kernel.machine;
    const sites = readMcountTable(machine, section.address, section.address + section.size);
    const fentry = machine.symbols.global('__fentry__')?.address ?? machine.nativeAddress('__fentry__');
    const calls = (site: bigint) => {
      const code = machine.memory.read(site, 5);
      const rel = BigInt(code[1] | (code[2] << 8) | (code[3] << 16) | (code[4] << 24));
      return code[0] === 0xe8 && site + 5n + rel === fentry;
    };
    const bad = this.kernel.options.abi ? sites.find((site) => !calls(site)) : undefined;
    if (bad === undefined) return this.kernel.ftrace.addSites(sites);
    const log = this.kernel.log;
    for (const line of [
      '------------[ cut here ]------------',
      'WARNING: at arch/x86/kernel/ftrace.c:95 ftrace_verify_code',
      '------------[ ftrace bug ]------------',
      'ftrace failed to modify ',
      `[<${bad.toString(16)}>] ${machine.describe(bad)}`,
      'Initializing ftrace call sites',
    ])
      log.printk(`\x014${line}\n`);
  }
}

/** The module name kmod derives from a path: the file name without .ko, dashes as underscores. */
export function moduleNameOf(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.ko(\.xz|\.gz|\.zst)?$/, '').replace(/-/g, '_');
}
