import { ElfError, readElf } from '../../elf';
import { xenMayDefine } from '../../target/xenSymbolView';
import { EmulatorError, GuestFault } from '../faults';
import { Machine } from '../machine';
import { LivepatchAction, maxPayloadSize, nameSize, PayloadState } from './abi';
import { ActionOptions, livepatchAction } from './actions';
import { XenConsole } from './console';
import { dumpPayloads } from './debugKey';
import { errno } from '../errno';
import { GuestCalls } from './guestCalls';
import { Hypervisor } from './hypervisor';
import { defineLivepatchNatives } from './natives';
import { panic, XenPanic } from './panic';
import { viewPayload, XenPayloadView } from './payloadView';
import { attachRuntime, isRealXen, prepareRealXen, RealXenBoot } from './realImage/realXen';
import { loadPayloadData, UploadError } from './upload';
import { checkForLivepatchWork } from './work';
import { installXenTraps } from './traps';
import { coreRegion } from './virtualRegion';
import { BANNER_CALLS } from '../../checks/payload/reportRecursion';
import { readGuestFunc } from './guestLayout';

export interface XenLivepatchOptions {
  /** The running hypervisor's build-id (hex); default: the target's GNU build-id note. */
  buildId?: string;
  /** Online CPUs taking part in the quiesce rendezvous (default 2). */
  cpus?: number;
}

export interface PayloadStatus {
  state: PayloadState;
  /** 0, -EAGAIN while the action is pending, or the failed action's -errno. */
  rc: number;
}

export interface ListedPayload extends PayloadStatus {
  name: string;
  /** Raw `.modinfo` (NUL-separated strings). */
  metadata: Buffer;
}

/**
 * Xen's live patching on an emulated hypervisor: the XEN_SYSCTL_livepatch_op sub-ops (upload,
 * get, list, action) with their return values, the idle loop that carries out scheduled
 * actions, and the hypervisor console. A panic (inconsistent payload, a faulting hook) stops
 * the hypervisor: later calls are refused with an EmulatorError, the host goes on.
 */
export class XenLivepatch {
  readonly console = new XenConsole();
  private readonly h: Hypervisor;
  private panicReason: string | undefined;
  /** What the emulated boot of a real xen-syms set up; undefined on the sample target. */
  realBoot: RealXenBoot | undefined;

  constructor(
    readonly machine: Machine,
    options: XenLivepatchOptions & { buildId: string },
  ) {
    const target = machine.images.find((image) => image.kind === 'executable');
    if (!target) throw new EmulatorError('load the hypervisor image (the target) before starting live patching');
    const xenSymbols = new Map<string, bigint>();
    // The Xen view of the image: the bundled target's Linux-only names are not the hypervisor's.
    for (const symbol of target.symbols) if (!xenSymbols.has(symbol.name) && xenMayDefine(symbol.name)) xenSymbols.set(symbol.name, symbol.address);
    defineLivepatchNatives(machine, this.console);
    this.h = {
      machine,
      console: this.console,
      guest: new GuestCalls(machine, this.console),
      buildId: options.buildId.toLowerCase(),
      xenSymbols,
      payloads: [],
      applied: [],
      work: undefined,
      version: 1,
      rendezvousNs: new Array<number>(Math.max(1, options.cpus ?? 2)).fill(0),
      irqsOff: false,
    };
    const core = coreRegion(machine, target);
    installXenTraps(machine, this.console, {
      regions: () => [core, ...this.h.payloads.map((p) => p.region)],
      ownMemory: (address) => [target, ...this.h.payloads.map((p) => p.image)].some((image) => address >= image.start && address < image.end),
      bannerReplacedAround: (rip) => bannerReplacedAround(this.h, rip),
      interruptsOff: () => this.h.irqsOff,
    });
  }

  /** A fresh machine running the hypervisor image at `targetPath`. */
  static boot(targetPath: string, options: XenLivepatchOptions = {}): XenLivepatch {
    // One open of the image for both the loader and its build-id.
    const elf = readElf(targetPath);
    try {
      const machine = new Machine();
      machine.loadTarget(elf, targetPath);
      const buildId = options.buildId ?? elf.buildId();
      if (!buildId) throw new EmulatorError(`${targetPath}: the hypervisor image has no GNU build-id note (link it with --build-id)`);
      const real = isRealXen(machine) ? prepareRealXen(machine, elf) : undefined;
      const xen = new XenLivepatch(machine, { ...options, buildId });
      if (real) attachRuntime(machine, real, xen.console);
      xen.realBoot = real;
      return xen;
    } finally {
      elf.close();
    }
  }

  get buildId(): string {
    return this.h.buildId;
  }

  /** Why the hypervisor panicked, once it has. */
  get panicked(): string | undefined {
    return this.panicReason ?? this.console.pendingPanic;
  }

  /** XEN_SYSCTL_LIVEPATCH_UPLOAD: 0 (state CHECKED) or -errno; throws when the upload panicked the hypervisor. */
  upload(name: string, payload: Uint8Array): number {
    this.alive();
    if (!validName(name) || payload.length === 0 || payload.length > maxPayloadSize) return -errno('EINVAL');
    if (this.h.payloads.some((p) => p.name === name)) return -errno('EEXIST');
    try {
      const loaded = this.survive(() => loadPayloadData(this.h, name, Buffer.from(payload)), undefined);
      // A panic while loading (an alternative's BUG_ON, a fault) never returns from the hypercall: no errno reaches dom0.
      if (!loaded) throw this.dead();
      this.h.payloads.push(loaded);
    } catch (error) {
      if (error instanceof UploadError) return -errno(error.errno);
      if (error instanceof ElfError) return -errno('EINVAL');
      throw error;
    }
    this.h.version++;
    return 0;
  }

  /** XEN_SYSCTL_LIVEPATCH_GET. */
  get(name: string): { rc: number; status?: PayloadStatus } {
    this.alive();
    if (!validName(name)) return { rc: -errno('EINVAL') };
    const p = this.h.payloads.find((x) => x.name === name);
    return p ? { rc: 0, status: { state: p.state, rc: p.rc } } : { rc: -errno('ENOENT') };
  }

  /** XEN_SYSCTL_LIVEPATCH_LIST, all at once: upload order, and the version that changes with it. */
  list(): { version: number; payloads: ListedPayload[] } {
    this.alive();
    return { version: this.h.version, payloads: this.h.payloads.map((p) => ({ name: p.name, state: p.state, rc: p.rc, metadata: p.metadata })) };
  }

  /** XEN_SYSCTL_LIVEPATCH_ACTION: 0 when done or scheduled (the status then says -EAGAIN), or -errno. */
  action(name: string, action: LivepatchAction, options: ActionOptions = {}): number {
    this.alive();
    if (!validName(name)) return -errno('EINVAL');
    return this.survive(() => livepatchAction(this.h, name, action, options), -errno('EINVAL'));
  }

  /** The idle loop: carries out the scheduled action, if any. */
  idle(): void {
    this.alive();
    this.survive(() => checkForLivepatchWork(this.h), undefined);
  }

  /** Whether an action waits for the idle loop. */
  get pending(): boolean {
    return this.h.work !== undefined;
  }

  /**
   * How long CPU `cpu` takes to reach the quiesce rendezvous; Infinity never (it is stuck with
   * interrupts off). An action whose timeout is shorter fails with -EBUSY, as in Xen.
   */
  setRendezvousDelay(cpu: number, ns: number): void {
    if (cpu < 1 || cpu >= this.h.rendezvousNs.length) throw new EmulatorError(`CPU ${cpu} is not one of the other online CPUs (1..${this.h.rendezvousNs.length - 1})`);
    this.h.rendezvousNs[cpu] = ns;
  }

  /** The `x` debug key's dump, printed on the console. */
  debugKey(): void {
    this.alive();
    dumpPayloads(this.h);
  }

  /** Names of the applied payloads, bottom of the stack first. */
  appliedStack(): string[] {
    return this.h.applied.map((p) => p.name);
  }

  /** Every uploaded payload, upload order; readable after a panic too, for post-mortems. */
  payloads(): XenPayloadView[] {
    return this.h.payloads.map((p) => viewPayload(this.h, p));
  }

  payload(name: string): XenPayloadView | undefined {
    const p = this.h.payloads.find((x) => x.name === name);
    return p && viewPayload(this.h, p);
  }

  /** After guest code ran outside a hypercall (`call`): the banner of a panic its trap handler raised. */
  settlePanic(): void {
    const pending = this.console.pendingPanic;
    if (pending && !this.panicReason) this.survive(() => panic(this.console, pending), undefined);
  }

  /** Refuses the hypercall of a hypervisor that has panicked: no answer ever comes back from it. */
  private alive(): void {
    if (this.panicked) throw this.dead();
  }

  private dead(): EmulatorError {
    return new EmulatorError(`the hypervisor has panicked (${this.panicked}); boot a new one`);
  }

  private survive<T>(run: () => T, failed: T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof GuestFault) return this.survive(() => pageFaultPanic(this.console, error), failed);
      if (!(error instanceof XenPanic)) throw error;
      this.panicReason = error.reason;
      return failed;
    }
  }
}

/** The function of the register dump's banner an applied payload replaced with code holding `rip`. */
function bannerReplacedAround(h: Hypervisor, rip: bigint): string | undefined {
  for (const payload of h.applied) {
    for (const address of payload.funcs) {
      const func = readGuestFunc(h.machine.memory, address);
      const name = h.machine.symbols.at(func.oldAddr)?.symbol.name;
      if (func.newAddr && rip >= func.newAddr && rip < func.newAddr + BigInt(func.newSize) && name && BANNER_CALLS.includes(name)) return name;
    }
  }
  return undefined;
}

/**
 * The hypervisor itself (not payload code, whose faults GuestCalls reports) touched memory that
 * is not there, e.g. an old_addr or name a hook overwrote after upload: Xen dies of it.
 */
function pageFaultPanic(console: XenConsole, fault: GuestFault): never {
  return panic(console, `FATAL PAGE FAULT\n${fault.detail}`);
}

/** get_name(): 1..127 characters plus the NUL. */
const validName = (name: string): boolean => name.length > 0 && Buffer.byteLength(name, 'latin1') < nameSize && !name.includes('\0');
