import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readElf } from '../../../../../../../server/out/elf';
import { CallResult, Machine } from '../../../../../../../server/out/emulator';
import { LoadedImage } from '../../../../../../../server/out/emulator/loader';
import { Task } from '../../../../../../../server/out/emulator/tasks';
import { NativeContext } from '../../../../../../../server/out/emulator/natives';
import { runSteps, Steps } from '../../../../../../../server/out/emulator/klp/livepatch/guestSteps';
import {
  GuestCallOutcome,
  startLivepatchCore,
  InstalledLivepatch,
  KlpFile,
  KlpKernelModule,
  KlpTask,
  LivepatchKernel,
} from '../../../../../../../server/out/emulator/klp/livepatch';
import { modinfoValue, readModinfo } from '../../../../../../../server/out/payload/modinfo';
import { klpLayoutOf } from '../../../../../../../server/out/payload/klp/klpLayout';
import { fromRoot } from '../../../../../support/paths';

// The smallest kernel the livepatch core can run on, straight on the Machine: the sample target,
// modules loaded with machine.loadObject, tasks that sleep in an `msleep` native (the run stops
// there), jiffies advanced by hand, and sysfs as a map. It stands in for the kernel model in
// the core's unit tests; what it models is only what the LivepatchKernel port asks for.

const target = fromRoot('samples', 'build', 'target', 'sample-target');
export const modulePath = (name: string): string => fromRoot('samples', 'build', 'payloads', 'klp', `${name}.ko`);

const EBUSY = 16;
const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];
const NOP5 = [0x0f, 0x1f, 0x44, 0x00, 0x00];

export class FakeTask implements KlpTask {
  klp = { patchState: -1 };
  /** Running on another CPU: stack checks refuse it (-EBUSY in the kernel). */
  onOtherCpu = false;
  constructor(
    readonly pid: number,
    readonly comm: string,
    readonly task: Task,
  ) {}

  get isRunning(): boolean {
    return this.onOtherCpu || this.task.state === 'running';
  }

  stackFunctions(): bigint[] {
    return [...this.task.frames].reverse().map((f) => f.target);
  }
}

function outcome(result: CallResult): GuestCallOutcome {
  return result.status === 'returned' ? { ok: true, rax: result.rax } : { ok: false, problem: result.fault?.message ?? result.stopReason ?? result.status };
}

export interface FakeModule extends KlpKernelModule {
  image: LoadedImage;
  refs: number;
}

export class FakeKernel implements LivepatchKernel {
  readonly machine = new Machine();
  readonly HZ = 250;
  readonly lp: InstalledLivepatch;
  /** printk lines without their level, as dmesg shows them. */
  readonly log: string[] = [];
  readonly levels: number[] = [];
  readonly files = new Map<string, KlpFile>();
  readonly modules = new Map<string, FakeModule>();
  readonly taskList: FakeTask[] = [];
  readonly woken: FakeTask[] = [];
  readonly swapper: FakeTask;
  readonly insmodTask: FakeTask;
  private now = 4295000000n;
  private timers: { at: bigint; fn: () => void }[] = [];
  private readonly callbackTask: Task;
  private nextPid = 100;

  constructor() {
    assert.ok(existsSync(target), `${target} is not built: run \`npm run samples\``);
    this.machine.loadTarget(target);
    this.machine.natives.define({ name: 'msleep', kind: 'call', run: (ctx) => ctx.stop('msleep') });
    // lp-minor2's module parameter points its __param entry at param_ops_int; this kernel applies no parameters.
    this.machine.natives.define({ name: 'param_ops_int', kind: 'call', run: () => undefined });
    this.swapper = new FakeTask(0, 'swapper/0', this.machine.tasks[0]);
    this.taskList.push(this.swapper);
    this.insmodTask = this.spawn('insmod');
    this.callbackTask = this.machine.createTask('callbacks');
    this.lp = startLivepatchCore(this);
  }

  // ---- the port ----------------------------------------------------------------------------------

  printk(text: string): void {
    const leveled = text.startsWith('\x01');
    this.levels.push(leveled ? Number(text[1]) : 4);
    const body = leveled ? text.slice(2) : text;
    this.log.push(body.endsWith('\n') ? body.slice(0, -1) : body);
  }

  jiffies(): bigint {
    return this.now;
  }

  scheduleWork(delay: bigint, fn: () => void): void {
    this.timers.push({ at: this.now + delay, fn });
  }

  tasks(): Iterable<KlpTask> {
    return this.taskList;
  }

  currentTask(): KlpTask | undefined {
    const running = this.machine.currentTask;
    const task = running === this.callbackTask ? this.outer : running;
    return this.taskList.find((t) => t.task === task);
  }

  wakeUp(task: KlpTask): void {
    this.woken.push(task as FakeTask);
  }

  findModule(name: string): KlpKernelModule | undefined {
    return this.modules.get(name);
  }

  moduleAt(address: bigint): KlpKernelModule | undefined {
    return [...this.modules.values()].find((m) => address >= m.image.start && address < m.image.end);
  }

  moduleGet(mod: KlpKernelModule): boolean {
    (mod as FakeModule).refs++;
    return true;
  }

  modulePut(mod: KlpKernelModule): void {
    (mod as FakeModule).refs--;
  }

  readonly relocationCalls: string[] = [];
  writeKlpRelocations(patchModule: KlpKernelModule, objectName: string, apply: boolean): number {
    this.relocationCalls.push(`${apply ? 'apply' : 'clear'} ${patchModule.name} ${objectName}`);
    return 0;
  }

  kallsymsLookup(objectName: string | null, name: string): bigint[] {
    const image = objectName === null ? this.machine.images[0] : this.modules.get(objectName)?.image;
    const symbols = (image?.symbols ?? []).filter((s) => s.name === name);
    if (objectName === null) symbols.sort((a, b) => (a.address < b.address ? -1 : 1));
    return symbols.map((s) => s.address);
  }

  kallsymsSize(address: bigint): bigint | undefined {
    const hit = this.machine.symbols.at(address);
    return hit && hit.symbol.size > 0n ? hit.symbol.size : undefined;
  }

  registerFile(path: string, file: KlpFile): void {
    this.files.set(path, file);
  }

  unregisterFiles(prefix: string): void {
    for (const path of [...this.files.keys()]) if (path === prefix || path.startsWith(`${prefix}/`)) this.files.delete(path);
  }

  /** The task a native that calls guest code interrupted (callbacks run on its behalf). */
  private outer: Task | undefined;

  callGuest(address: bigint, args: bigint[]): GuestCallOutcome {
    return outcome(this.machine.call(address, args, { task: this.callbackTask }));
  }

  /** Drives the steps inside the native with nested runs of the machine on the callbacks' task. */
  defineNative(name: string, body: (ctx: NativeContext) => Steps<bigint>): void {
    this.machine.natives.define({ name, kind: 'call', run: (ctx) => runSteps(body(ctx), ({ call, args }) => this.nestedCall(call, args)) });
  }

  private nestedCall(address: bigint, args: bigint[]): bigint {
    const m = this.machine;
    const outer = m.currentTask;
    // Runs nest: the interrupted run keeps its stop request, and the nested run's log_buf lines are on the console once.
    this.outer = outer;
    const result = m.call(address, args, { task: this.callbackTask });
    this.outer = undefined;
    m.switchTo(outer);
    assert.equal(result.status, 'returned', result.fault?.report());
    return result.rax;
  }

  /** ftrace_location() from the bytes: `call __fentry__` or its NOP at the entry, after ENDBR64. */
  ftraceSite(func: bigint): bigint | undefined {
    const head = this.machine.memory.read(func, 9);
    const at = ENDBR64.every((b, i) => head[i] === b) ? 4 : 0;
    const site = func + BigInt(at);
    if (NOP5.every((b, i) => head[at + i] === b)) return site;
    if (head[at] !== 0xe8) return undefined;
    const hit = this.machine.symbols.at(site + 5n + BigInt(new DataView(head.buffer).getInt32(at + 1, true)));
    return hit && hit.offset === 0n && hit.symbol.name === '__fentry__' ? site : undefined;
  }

  private readonly savedSites = new Map<bigint, Uint8Array>();
  setTraced(site: bigint, traced: boolean): void {
    const memory = this.machine.memory;
    if (!traced) {
      memory.write(site, this.savedSites.get(site)!, { force: true });
      this.savedSites.delete(site);
      return;
    }
    this.savedSites.set(site, memory.read(site, 5));
    const insn = new Uint8Array(5);
    insn[0] = 0xe8;
    new DataView(insn.buffer).setInt32(1, Number(BigInt.asIntN(32, this.machine.nativeAddress('__fentry__')! - (site + 5n))), true);
    memory.write(site, insn, { force: true });
  }

  // ---- what the tests drive ------------------------------------------------------------------------

  spawn(comm: string): FakeTask {
    const task = new FakeTask(this.nextPid++, comm, this.machine.createTask(comm));
    task.klp.patchState = this.insmodTask?.klp.patchState ?? -1;
    this.taskList.push(task);
    return task;
  }

  /** Runs a function on a task; when it returns the task leaves the kernel. */
  run(task: FakeTask, fn: string | bigint, args: bigint[] = []): CallResult {
    return this.finish(task, this.machine.call(fn, args, { task: task.task }));
  }

  resume(task: FakeTask): CallResult {
    return this.finish(task, this.machine.resume(task.task));
  }

  private finish(task: FakeTask, result: CallResult): CallResult {
    assert.notEqual(result.status, 'fault', result.fault?.report());
    if (result.status === 'returned') this.lp.updatePatchState(task);
    return result;
  }

  /** insmod: 0 or -errno (what init_module or the livepatch notifier returned). */
  insmod(name: string, beforeInit?: (mod: FakeModule) => void): number {
    const elf = readElf(modulePath(name));
    const modinfo = readModinfo(elf);
    const moduleName = modinfoValue(modinfo, 'name') ?? name;
    const layout = klpLayoutOf(elf);
    const image = this.machine.loadObject(elf, moduleName);
    elf.close();
    const symbol = (s: string): bigint => image.symbols.find((x) => x.name === s)!.address;
    const mod: FakeModule = { name: moduleName, address: symbol('__this_module'), livepatch: modinfoValue(modinfo, 'livepatch') === 'Y', klpLayout: layout, image, refs: 0 };
    this.modules.set(moduleName, mod);
    let ret = this.lp.moduleComing(mod);
    if (!ret) {
      beforeInit?.(mod);
      ret = Number(BigInt.asIntN(32, this.run(this.insmodTask, symbol('init_module')).rax));
      if (ret) this.lp.moduleGoing(mod);
    }
    if (ret) this.dropModule(mod);
    return ret;
  }

  /** rmmod: -EBUSY while something holds the module. */
  rmmod(name: string): number {
    const mod = this.modules.get(name)!;
    if (mod.refs > 0) return -EBUSY;
    this.run(this.insmodTask, mod.image.symbols.find((x) => x.name === 'cleanup_module')!.address);
    this.lp.moduleGoing(mod);
    this.dropModule(mod);
    return 0;
  }

  private dropModule(mod: FakeModule): void {
    this.modules.delete(mod.name);
    this.machine.unloadObject(mod.image);
  }

  /** Guest time passes: due work runs, in order. */
  sleep(seconds: number): void {
    const end = this.now + BigInt(Math.round(seconds * this.HZ));
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.now = due.at;
      due.fn();
    }
    this.now = end;
  }

  cat(path: string): string {
    const file = this.files.get(path);
    assert.ok(file?.read, `${path} is not readable`);
    return file.read();
  }

  /** echo VALUE > PATH: 0 or -errno. */
  echo(value: string, path: string): number {
    const file = this.files.get(path);
    assert.ok(file?.write, `${path} is not writable`);
    return file.write(`${value}\n`);
  }

  call(fn: string, task: FakeTask = this.swapper): bigint {
    return this.run(task, fn).rax;
  }

  symbol(module: string, name: string): bigint {
    return this.modules.get(module)!.image.symbols.find((s) => s.name === name)!.address;
  }
}
