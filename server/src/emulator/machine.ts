import { ElfFile, readElf } from '../elf';
import { limits } from '../limits';
import { fromPair, hiOf, loOf } from './addr';
import { builtinNatives } from './builtinNatives';
import { CpuHooks } from './cpu/block';
import { Cpu } from './cpu/cpu';
import { ult } from './cpu/state';
import { addressSpaceExhausted, EmulatorError, FaultKind, GuestFault } from './faults';
import { LoadedImage, loadExecutable, LoadOptions, loadRelocatable, LoaderHost } from './loader';
import { ADDRESS_SPACE_END, Memory, PAGE_SIZE, Perm } from './memory';
import { NativeContext, Natives } from './natives';
import type { PatchingHooks } from './patching';
import { SymbolTable } from './symbols';
import { Frame, GuestStacks, Task } from './tasks';

/** A CPU as its image's own per-CPU setup makes it: the task it runs on, and the per-CPU base its %gs holds. */
export interface CpuSetup {
  task: Task;
  gsBase: bigint;
}

export interface CallOptions {
  /** Instructions the call may execute (default `limits().guestInstructionBudget`). */
  budget?: number;
  /** Wall-clock limit in milliseconds (default `limits().guestTimeoutMs`). */
  timeoutMs?: number;
  /** The task (guest stack) to run on; default the current task. */
  task?: Task;
  /** The budget is a scheduler's time slice: at its end the task stops (reason `slice`) instead of faulting. */
  slice?: boolean;
}

export interface CallResult {
  /** returned: the function returned; stopped: a native ended the run (resume later); fault. */
  status: 'returned' | 'stopped' | 'fault';
  rax: bigint;
  fault?: GuestFault;
  /** Why a native stopped the run, when status is 'stopped'. */
  stopReason?: string;
  /** What the guest printed during this call. */
  output: string;
  instructions: number;
}

/**
 * Called at every `call __fentry__` (function entry of -mfentry code) with the address of the
 * call site; returning an address redirects the function there (ftrace-style live patching).
 */
export type FentryHook = (callSite: bigint, machine: Machine) => bigint | undefined;

/** Unprivileged-harmless system instructions; the rest fault unless a handler claims them. */
const HARMLESS_SYSTEM = new Set(['cli', 'sti', 'clac', 'stac', 'wbinvd', 'invlpg', 'clflush']);

const DEFAULT_ARENA = 0xffffffffc0000000n;
const STACK_AREA = 0xffffc90000000000n;
const STACK_STRIDE = 0x200000n;
const HEAP_AREA = 0xffff888000000000n;
const ARGUMENT_REGISTERS = [7, 6, 2, 1, 8, 9];
/** MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE: which segment base each names. */
const SEGMENT_MSRS: Record<number, 'fs' | 'gs' | 'kernelGs'> = { 0xc0000100: 'fs', 0xc0000101: 'gs', 0xc0000102: 'kernelGs' };

/**
 * The emulated computer: memory, one CPU, the loaded images, the symbol table, natives and the
 * guest tasks. Everything a livepatch runtime needs is reachable from here.
 */
export class Machine {
  readonly memory = new Memory();
  readonly symbols = new SymbolTable();
  readonly natives = new Natives();
  readonly images: LoadedImage[] = [];
  readonly tasks: Task[] = [];
  /** Every guest stack with its shadow call stack (the machine's tasks' and those a runtime registers). */
  readonly stacks = new GuestStacks();
  readonly cpu: Cpu;
  /** Everything the guest printed since the machine started. */
  console = '';
  fentryHook: FentryHook | undefined;
  /**
   * A guest-side console: a kernel-style `log_buf` and its length variable. When the target has
   * them, what its own printk appends there during a call is part of the call's output.
   */
  consoleBuffer: { buffer: bigint; length: bigint } | undefined;
  /** A console ring of another shape (Xen's conring), read instead of `consoleBuffer`: its write position, and the text between two positions. */
  guestConsole: { position(): bigint; text(from: bigint, to: bigint): string } | undefined;
  /**
   * Where new tasks' stacks go when the image's code expects its own layout (Xen finds its
   * per-CPU data from %rsp: struct cpu_info at the top of a STACK_SIZE-aligned stack); default
   * a stack of `stackSize` above a guard page.
   */
  stackPlacement: ((name: string) => { base: bigint; top: bigint }) | undefined;
  /**
   * What CPU `id` of `cpus` is on this image, set by the runtime that prepared it (a real
   * vmlinux's or xen-syms' own per-CPU setup): the task it runs on and its MSR_GS_BASE. Unset,
   * the other CPUs get the sample target's one-page per-CPU area (smp/smp.ts).
   */
  makeCpu: ((id: number, cpus: number) => CpuSetup) | undefined;
  /** Emulates a system instruction (cpuid, rdmsr, ...) and returns true, or lets it fault. */
  systemHandler: ((mnemonic: string, machine: Machine) => boolean) | undefined;
  /**
   * The guest's exception handlers (a runtime's do_invalid_op, exception-table fixups): given a
   * fault at `rip`, the address to go on at, a fault ending the run instead, or undefined when
   * the fault ends the run.
   */
  trapHandler: ((fault: GuestFault, rip: bigint, machine: Machine) => bigint | GuestFault | undefined) | undefined;
  /** Told of every cli (false) and sti (true): the interrupt flag of the CPU running. */
  interruptFlag: ((enabled: boolean) => void) | undefined;
  /**
   * An int3 executed (no live patch's): enters the target's #BP handler, to return to `next`,
   * and says so; unset or false, the int3 is a breakpoint fault.
   */
  breakpointTrap: ((next: bigint) => boolean) | undefined;
  /** The other CPUs, for a runtime's patching rendezvous; unset on a one-CPU machine. */
  patching: PatchingHooks | undefined;
  private current: Task;
  /** The shadow call stack of the stack %rsp is in, and that stack's bounds (low, high] as signed doubles. */
  private frames: Frame[] = [];
  private stackLow = 0;
  /** How far into the guest's log buffer the console has read. */
  private logMark = 0n;
  private stackHigh = 0;
  private arenaNext: bigint | undefined;
  private heapNext = HEAP_AREA;
  private readonly stubPages = new Map<number, Int32Array>();
  private stubNext = 0n;
  private stubEnd = 0n;
  private readonly hostReturnId: number;
  private hostReturn: { lo: number; hi: number } | undefined;
  /** The last address called, in halves: a scheduler calls one job over and over. */
  private lastCalled = { address: -1n, lo: 0, hi: 0 };
  /** The guest log's length as last read, so an unchanged one costs no BigInt. */
  private lastLogLength = { lo: 0, hi: 0, value: 0n };
  private readonly fentryId: number;

  constructor() {
    for (const spec of builtinNatives) this.natives.define(spec);
    this.natives.define({ name: '<host-return>', kind: 'call', run: () => undefined });
    this.natives.define({ name: '__fentry__', kind: 'call', run: () => undefined });
    this.hostReturnId = this.natives.id('<host-return>')!;
    this.fentryId = this.natives.id('__fentry__')!;
    this.cpu = new Cpu(this.memory, this.hooks(), (lo, hi) => this.stubPages.get((hi >>> 0) * 1048576 + (lo >>> 12))?.[(lo & 4095) >> 4] ?? undefined);
    this.current = this.createTask('main');
    this.frames = this.current.frames;
  }

  // ---- images ----------------------------------------------------------------------------------

  /** Loads the linked image being patched (ET_EXEC). Load it before any object. */
  loadTarget(file: string | ElfFile, name?: string): LoadedImage {
    if (this.arenaNext !== undefined) throw new EmulatorError('load the target before any object or call');
    const image = this.withElf(file, name, (elf, label) => loadExecutable(this.loaderHost(), elf, label));
    this.arenaNext = alignUp(image.end + 0x200000n, 0x200000n);
    this.addImage(image);
    const buffer = this.symbols.global('log_buf');
    const length = this.symbols.global('log_buf_len');
    if (buffer && length) this.consoleBuffer = { buffer: buffer.address, length: length.address };
    return image;
  }

  /** Loads and links a relocatable object (ET_REL) within reach of the target; `options.defer` keeps relocation sections for later. */
  loadObject(file: string | ElfFile, name?: string, options: LoadOptions = {}): LoadedImage {
    return this.addImage(this.withElf(file, name, (elf, label) => loadRelocatable(this.loaderHost(), elf, label, options)));
  }

  /** Removes a loaded object: its symbols stop resolving and its memory is gone (accesses fault). */
  unloadObject(image: LoadedImage): void {
    const index = this.images.indexOf(image);
    if (index < 0 || image.kind !== 'object') throw new EmulatorError(`unloadObject: ${image.name} is not a loaded object`);
    this.symbols.remove(image.name);
    if (image.end > image.start) this.memory.unmap(image.start, image.end - image.start);
    this.images.splice(index, 1);
  }

  private withElf(file: string | ElfFile, name: string | undefined, load: (elf: ElfFile, label: string) => LoadedImage): LoadedImage {
    if (typeof file !== 'string') return load(file, name ?? 'image');
    const elf = readElf(file);
    try {
      return load(elf, name ?? file);
    } finally {
      elf.close();
    }
  }

  private addImage(image: LoadedImage): LoadedImage {
    for (const symbol of image.symbols) this.symbols.add(symbol);
    this.images.push(image);
    return image;
  }

  private loaderHost(): LoaderHost {
    return {
      memory: this.memory,
      reserve: (size, what) => this.reserve(size, what),
      resolve: (name) => this.symbols.global(name)?.address ?? this.nativeAddress(name),
    };
  }

  /** Page-aligned address space next to the target (or in the module area without one). */
  reserve(size: bigint, what = 'a reservation'): bigint {
    const start = (this.arenaNext ??= DEFAULT_ARENA);
    const end = alignUp(start + size, PAGE_SIZE);
    // The arena sits in the top 1 GiB (kernel code model): what does not fit there never wraps to 0.
    if (size < 0n || end > ADDRESS_SPACE_END) throw addressSpaceExhausted(what, start, size);
    this.arenaNext = end;
    return start;
  }

  /** Maps fresh zeroed guest memory away from code (buffers for tests and runtimes). */
  allocate(size: bigint, name = 'heap', perm: Perm = Perm.RW): bigint {
    const start = this.heapNext;
    this.memory.map(start, size, perm, name);
    this.heapNext = alignUp(start + size, PAGE_SIZE) + PAGE_SIZE;
    return start;
  }

  /** Maps fresh memory next to the loaded code, within rel32 reach of it (trampolines, patches). */
  allocateNearCode(size: bigint, name: string, perm: Perm = Perm.RX): bigint {
    const start = this.reserve(size, name);
    this.memory.map(start, size, perm, name);
    return start;
  }

  /** The stub address of a native, allocated on first use; undefined for unknown names. */
  nativeAddress(name: string): bigint | undefined {
    const id = this.natives.id(name);
    if (id === undefined) return undefined;
    const known = this.natives.stubAddress(id);
    if (known !== undefined) return known;
    if (this.stubNext === this.stubEnd) {
      this.stubNext = this.reserve(PAGE_SIZE);
      this.stubEnd = this.stubNext + PAGE_SIZE;
      this.memory.map(this.stubNext, PAGE_SIZE, Perm.RX, 'native stubs');
      this.memory.write(this.stubNext, new Uint8Array(4096).fill(0xcc), { force: true });
      this.stubPages.set(Number(this.stubNext >> 12n), new Int32Array(256).fill(-1));
    }
    const address = this.stubNext;
    this.stubNext += 16n;
    this.stubPages.get(Number(address >> 12n))![Number(address & 4095n) >> 4] = id;
    this.natives.setStubAddress(id, address);
    this.symbols.add({ name, address, size: 16n, kind: 'function', global: true, image: 'natives' });
    return address;
  }

  // ---- tasks -----------------------------------------------------------------------------------

  createTask(name: string, stackSize = 0x10000n): Task {
    const id = this.tasks.length;
    const placed = this.stackPlacement?.(name);
    if (placed) return this.addTask(new Task(id, name, placed.base, placed.top));
    const guard = STACK_AREA + BigInt(id) * STACK_STRIDE;
    if (stackSize + PAGE_SIZE > STACK_STRIDE) throw new EmulatorError(`stack of ${stackSize} bytes is too large`);
    this.memory.reserveGuard(guard, PAGE_SIZE, `the stack guard page of task '${name}' (stack overflow)`);
    this.memory.map(guard + PAGE_SIZE, stackSize, Perm.RW, `stack of task '${name}'`);
    return this.addTask(new Task(id, name, guard + PAGE_SIZE, guard + PAGE_SIZE + stackSize));
  }

  /**
   * A task on a guest stack a runtime registered itself (a guest kernel's own kernel stacks,
   * below `top`), sharing that stack's shadow call stack, so what the runtime reads of a
   * sleeping task's stack is what ran on it.
   */
  createTaskOnStack(name: string, base: bigint, top: bigint): Task {
    const frames = this.stacks.framesAt(top - 8n);
    if (!frames) throw new EmulatorError(`task '${name}': 0x${top.toString(16)} is not inside a registered stack`);
    const task = new Task(this.tasks.length, name, base, top, frames);
    this.tasks.push(task);
    return task;
  }

  private addTask(task: Task): Task {
    this.stacks.add(task.stackBase, task.stackTop, task.frames);
    this.tasks.push(task);
    return task;
  }

  get currentTask(): Task {
    return this.current;
  }

  /** Makes `task` the one whose registers are in the CPU. */
  switchTo(task: Task): void {
    if (task === this.current) return;
    this.current.save(this.cpu.state);
    task.restore(this.cpu.state);
    this.current = task;
    this.enterStack();
  }

  /** The shadow call stack of the guest stack that holds `address` (undefined for an unknown stack). */
  framesAt(address: bigint): readonly Frame[] | undefined {
    return this.stacks.framesAt(address);
  }

  /** Follows %rsp to the stack it now points into: a guest scheduler switched stacks. */
  private enterStack(): void {
    const c = this.cpu.state;
    const found = this.stacks.find(c.hi[4] * 4294967296 + (c.lo[4] >>> 0));
    this.stackLow = found.low;
    this.stackHigh = found.high;
    if (found.frames) this.frames = found.frames;
  }

  private checkStack(): void {
    const c = this.cpu.state;
    const sp = c.hi[4] * 4294967296 + (c.lo[4] >>> 0);
    if (sp <= this.stackLow || sp > this.stackHigh) this.enterStack();
  }

  // ---- running ---------------------------------------------------------------------------------

  /** The address of a function name (global first) or the address itself. */
  resolve(target: string | bigint): bigint {
    if (typeof target === 'bigint') return target;
    const symbol = this.symbols.get(target);
    if (symbol) return symbol.address;
    const native = this.nativeAddress(target);
    if (native !== undefined) return native;
    throw new EmulatorError(`unknown function '${target}'`);
  }

  /** Calls a guest function with integer/pointer arguments (SysV) and runs it to completion. */
  call(target: string | bigint, args: (bigint | number)[] = [], options: CallOptions = {}): CallResult {
    const address = this.resolve(target);
    if (args.length > ARGUMENT_REGISTERS.length) throw new EmulatorError(`at most ${ARGUMENT_REGISTERS.length} arguments are supported`);
    const task = options.task ?? this.current;
    if (task.state !== 'idle') throw new EmulatorError(`task '${task.name}' is ${task.state}; resume it or use another task`);
    this.switchTo(task);
    const c = this.cpu.state;
    // A scheduler calls a looping job thousands of times: the return stub's halves are kept.
    if (!this.hostReturn) {
      const stub = this.nativeAddress('<host-return>')!;
      this.hostReturn = { lo: loOf(stub), hi: hiOf(stub) };
    }
    const hostReturn = this.hostReturn;
    const spLo = task.topSlotLo;
    const spHi = task.topSlotHi;
    this.memory.w64(spLo, spHi, hostReturn.lo, hostReturn.hi);
    c.lo[4] = spLo;
    c.hi[4] = spHi;
    args.forEach((value, i) => setRegister(c.lo, c.hi, ARGUMENT_REGISTERS[i], BigInt(value)));
    c.setRflags(0);
    if (address !== this.lastCalled.address) this.lastCalled = { address, lo: loOf(address), hi: hiOf(address) };
    c.ripLo = this.lastCalled.lo;
    c.ripHi = this.lastCalled.hi;
    task.reset();
    this.enterStack();
    task.frames.push(new Frame(c.ripLo, c.ripHi, hostReturn.lo, hostReturn.hi, spLo, spHi));
    return this.runTask(task, options);
  }

  /** Continues a task that a native stopped. */
  resume(task: Task, options: CallOptions = {}): CallResult {
    if (task.state !== 'stopped') throw new EmulatorError(`task '${task.name}' is ${task.state}, not stopped`);
    this.switchTo(task);
    return this.runTask(task, options);
  }

  private runTask(task: Task, options: CallOptions): CallResult {
    // A run inside a run (a native or an exception handler calling guest code) first puts what
    // the outer run printed so far on the console, then reads its own part; the outer one goes
    // on after it, so each line is there once, in order.
    if (this.cpu.busy) this.collectGuestLog();
    else this.logMark = this.guestLogLength();
    const outputStart = this.console.length;
    const before = this.cpu.instructions;
    task.state = 'running';
    try {
      const stop = this.cpu.run({
        budget: options.budget ?? limits().guestInstructionBudget,
        deadline: Date.now() + (options.timeoutMs ?? limits().guestTimeoutMs),
        yieldOnBudget: options.slice,
      });
      if (stop.reason === 'returned') {
        task.reset();
        return this.callResult('returned', outputStart, before);
      }
      task.state = 'stopped';
      task.stopReason = stop.reason;
      const stopped = this.callResult('stopped', outputStart, before);
      stopped.stopReason = stop.reason;
      return stopped;
    } catch (error) {
      if (!(error instanceof GuestFault)) {
        task.reset();
        throw error;
      }
      error.location = error.rip === undefined ? undefined : this.describeCode(error.rip);
      error.backtrace = this.backtrace(task);
      task.reset();
      const faulted = this.callResult('fault', outputStart, before);
      faulted.fault = error;
      return faulted;
    }
  }

  private callResult(status: CallResult['status'], outputStart: number, before: number): CallResult {
    this.collectGuestLog();
    return {
      status,
      rax: fromPair(this.cpu.state.lo[0], this.cpu.state.hi[0]),
      output: this.console.slice(outputStart),
      instructions: this.cpu.instructions - before,
    };
  }

  private guestLogLength(): bigint {
    if (this.guestConsole) return this.guestConsole.position();
    if (!this.consoleBuffer) return 0n;
    const length = this.consoleBuffer.length;
    const lo = this.memory.r64(loOf(length), hiOf(length));
    const hi = this.memory.hi;
    const last = this.lastLogLength;
    if (lo !== last.lo || hi !== last.hi) this.lastLogLength = { lo, hi, value: fromPair(lo, hi) };
    return this.lastLogLength.value;
  }

  /**
   * Output of host code running for the guest (an exception handler's printk), in its place
   * among what the guest printed so far.
   */
  print(text: string): void {
    this.collectGuestLog();
    this.console += text;
  }

  /** Appends what the guest's own printk wrote into its log buffer since the last look. */
  private collectGuestLog(): void {
    const start = this.logMark;
    const end = this.guestLogLength();
    this.logMark = end;
    if (this.guestConsole) {
      if (end > start) this.console += this.guestConsole.text(start, end);
      return;
    }
    if (!this.consoleBuffer || end <= start || end - start > 1n << 20n) return;
    this.console += Buffer.from(this.memory.read(this.consoleBuffer.buffer + start, Number(end - start))).toString('latin1');
  }

  /** Functions on a task's guest stack, innermost first, as `caller+offset` return addresses. */
  backtrace(task: Task = this.current): string[] {
    return [...(task === this.current ? this.frames : task.frames)].reverse().map((f) => `${this.describeCode(f.target)} (returns to ${this.describeCode(f.returnAddress)})`);
  }

  /** Return addresses on the running task's guest stack, innermost first. */
  returnAddresses(): bigint[] {
    return this.frames.map((f) => f.returnAddress).reverse();
  }

  /** `func+0x12`, or `payload!func+0x12` in a live-patch payload (LoadedImage.payload): where a fault report's code is. */
  describeCode(address: bigint): string {
    const hit = this.symbols.at(address);
    const owner = hit && this.images.find((image) => image.payload && image.name === hit.symbol.image);
    const text = this.symbols.describe(address);
    return owner ? `${owner.name}!${text}` : text;
  }

  // ---- the CPU's view of the machine -------------------------------------------------------------

  private hooks(): CpuHooks {
    // prettier-ignore
    return {
      call: (targetLo, targetHi, returnLo, returnHi) => {
        const c = this.cpu.state;
        this.checkStack();
        this.frames.push(new Frame(targetLo, targetHi, returnLo, returnHi, c.lo[4], c.hi[4]));
      },
      ret: () => this.popFrames(),
      system: (mnemonic) => this.system(mnemonic),
      native: (id) => this.runNative(id),
      fault: (kind: FaultKind, message: string) => new GuestFault(kind, message),
      trap: (fault, rip) => this.trapHandler?.(fault, rip, this),
      breakpoint: (nextLo, nextHi) => this.breakpointTrap?.(fromPair(nextLo, nextHi)) ?? false,
    };
  }

  /** Drops the frames whose return-address slot is now below the stack pointer. */
  private popFrames(): void {
    const c = this.cpu.state;
    this.checkStack();
    const frames = this.frames;
    const spLo = c.lo[4];
    const spHi = c.hi[4];
    while (frames.length) {
      const top = frames[frames.length - 1];
      if (!ult(top.slotLo, top.slotHi, spLo, spHi)) break;
      frames.pop();
    }
  }

  private system(mnemonic: string): void {
    if (mnemonic === 'cli' || mnemonic === 'sti') this.interruptFlag?.(mnemonic === 'sti');
    if (HARMLESS_SYSTEM.has(mnemonic)) return;
    if (this.systemHandler?.(mnemonic, this)) return;
    if (this.segmentBase(mnemonic)) return;
    if (mnemonic === 'rdtsc') {
      // A deterministic clock: the instruction count.
      const c = this.cpu.state;
      const now = BigInt(this.cpu.instructions);
      setRegister(c.lo, c.hi, 0, now & 0xffffffffn);
      setRegister(c.lo, c.hi, 2, now >> 32n);
      return;
    }
    throw new GuestFault('privileged', `${mnemonic}: system instruction not available to emulated code`);
  }

  /** wrmsr/rdmsr of the segment-base MSRs, and swapgs: the CPU's side of a kernel's per-CPU setup. */
  private segmentBase(mnemonic: string): boolean {
    const c = this.cpu.state;
    if (mnemonic === 'swapgs') {
      [c.gsLo, c.gsHi, c.kernelGsLo, c.kernelGsHi] = [c.kernelGsLo, c.kernelGsHi, c.gsLo, c.gsHi];
      return true;
    }
    if (mnemonic !== 'rdmsr' && mnemonic !== 'wrmsr') return false;
    const field = SEGMENT_MSRS[c.lo[1] >>> 0];
    if (!field) return false;
    if (mnemonic === 'wrmsr') {
      c[`${field}Lo`] = c.lo[0];
      c[`${field}Hi`] = c.lo[2];
    } else {
      setRegister(c.lo, c.hi, 0, BigInt(c[`${field}Lo`] >>> 0));
      setRegister(c.lo, c.hi, 2, BigInt(c[`${field}Hi`] >>> 0));
    }
    return true;
  }

  private runNative(id: number): void {
    const c = this.cpu.state;
    if (id === this.hostReturnId) {
      this.cpu.requestStop('returned');
      return;
    }
    const spec = this.natives.spec(id);
    const ctx = this.nativeContext();
    if (spec.kind === 'jump') {
      const target = spec.run(ctx);
      const frames = this.frames;
      const top = frames[frames.length - 1];
      const here = fromPair(c.ripLo, c.ripHi);
      if (top && top.target === here) {
        top.targetLo = loOf(target);
        top.targetHi = hiOf(target);
      }
      c.ripLo = loOf(target);
      c.ripHi = hiOf(target);
      return;
    }
    const result = id === this.fentryId ? undefined : spec.run(ctx);
    if (result !== undefined) setRegister(c.lo, c.hi, 0, result);
    const returnAddress = ctx.returnAddress();
    const redirect = id === this.fentryId ? this.fentryHook?.(returnAddress - 5n, this) : undefined;
    popStack(c.lo, c.hi);
    this.popFrames();
    const next = redirect ?? returnAddress;
    if (redirect !== undefined) {
      const frames = this.frames;
      const caller = frames[frames.length - 1];
      if (caller) {
        caller.targetLo = loOf(redirect);
        caller.targetHi = hiOf(redirect);
      }
    }
    c.ripLo = loOf(next);
    c.ripHi = hiOf(next);
  }

  private nativeContext(): NativeContext {
    const c = this.cpu.state;
    const stackSlot = (i: number) => fromPair(c.lo[4], c.hi[4]) + 8n * BigInt(i + 1);
    return {
      memory: this.memory,
      arg: (index) =>
        index < ARGUMENT_REGISTERS.length
          ? fromPair(c.lo[ARGUMENT_REGISTERS[index]], c.hi[ARGUMENT_REGISTERS[index]])
          : this.memory.readU64(stackSlot(index - ARGUMENT_REGISTERS.length)),
      register: (index) => fromPair(c.lo[index], c.hi[index]),
      setRegister: (index, value) => setRegister(c.lo, c.hi, index, value),
      print: (text) => {
        this.console += text;
      },
      symbolize: (address) => this.symbols.describe(address),
      returnAddress: () => this.memory.readU64(fromPair(c.lo[4], c.hi[4])),
      stop: (reason) => this.cpu.requestStop(reason),
    };
  }

  /** Symbolic form of an address (`func+0x12`). */
  describe(address: bigint): string {
    return this.symbols.describe(address);
  }
}

function setRegister(lo: Int32Array, hi: Int32Array, index: number, value: bigint): void {
  lo[index] = loOf(value);
  hi[index] = hiOf(value);
}

function popStack(lo: Int32Array, hi: Int32Array): void {
  const sp = (lo[4] >>> 0) + 8;
  lo[4] = sp | 0;
  if (sp > 0xffffffff) hi[4] = (hi[4] + 1) | 0;
}

function alignUp(value: bigint, align: bigint): bigint {
  return ((value + align - 1n) / align) * align;
}
