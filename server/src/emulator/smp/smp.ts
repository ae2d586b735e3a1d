import { fromPair, hiOf, loOf } from '../addr';
import { SLICE_END } from '../cpu/cpu';
import { EmulatorError, GuestFault } from '../faults';
import { guestCallBounds } from '../guestCallBounds';
import { CallResult, CpuSetup, Machine } from '../machine';
import { PAGE_SIZE } from '../memory';
import type { EmulatorCpuState, EmulatorCpusState } from '../state';
import type { PatchingHooks } from '../patching';
import { deliverHeld, deliverInterrupt, defineIret, trapBreakpoint } from './interrupts';
import type { CpuSet, PokeProtocol } from './cpuSet';
import { pokeText, TextWrite } from './poke';
import { SeededRandom } from './random';
import { InterruptKind, Job, SmpCpu } from './smpCpu';

export const MAX_CPUS = 64;
/** Rounds the other CPUs run after each command, so a loop goes on past a patch. */
const ROUNDS_BETWEEN_COMMANDS = 16;

export interface SmpOptions {
  cpus: number;
  seed: number;
  poke: PokeProtocol;
  /** NMIs drawn from the seed: on average this many per 1000 ticks of each CPU (0: none). */
  nmiRate?: number;
  /** A timer interrupt every this many ticks of each CPU, at a phase drawn from the seed (0: none). */
  timerPeriod?: number;
  /** The protocols' IPIs (Xen's rendezvous kick, text_poke_bp's syncs) go to the target's handler. */
  ipis?: boolean;
}

/**
 * Several CPUs on one machine: CPU 0 runs the scenario's commands and the runtime's patching
 * code (host code, each step of a text write one tick of its time); CPUs 1..N-1 run guest jobs,
 * each on its own task, interleaved by a seeded scheduler that switches every k instructions,
 * k drawn from the seed. The decode cache is one for all CPUs and every write drops the blocks
 * on its page, so each CPU's fetches see every byte another CPU wrote (x86's coherent
 * instruction fetch). What the author should see (torn fetches, lost NMIs, #MC during a write)
 * is collected as notes for the command that caused it.
 */
export class Smp implements PatchingHooks, CpuSet {
  readonly random: SeededRandom;
  readonly protocol: PokeProtocol;
  /** The CPU whose code runs now: CPU 0 while host code (the runtime) runs. */
  running: SmpCpu;
  get runningCpu(): number {
    return this.running.id;
  }

  /** The text write in flight, if any. */
  write: TextWrite | undefined;
  /** Xen's arch_livepatch_mask(): the NMI callback swallows NMIs. */
  masked = false;
  private quiesced = false;
  private readonly all: (SmpCpu | undefined)[];
  /** Mean time slice, drawn from the seed. */
  private readonly quantum: number;
  private readonly nmiRate: number;
  private readonly timerPeriod: number;
  readonly ipis: boolean;
  private notes: string[] = [];
  private readonly noted = new Set<string>();
  private readonly resultKeys = new Map<bigint, { text: string | undefined; layout: number; key: string }>();
  private failed = false;
  /** Whether anything ran on another CPU or an interrupt was raised: only then does `dump` show the CPUs. */
  used = false;

  constructor(
    readonly machine: Machine,
    options: SmpOptions,
  ) {
    if (!Number.isInteger(options.cpus) || options.cpus < 1 || options.cpus > MAX_CPUS) throw new EmulatorError(`--cpus expects 1..${MAX_CPUS}, got ${options.cpus}`);
    this.random = new SeededRandom(options.seed);
    this.protocol = options.poke;
    this.quantum = this.random.between(8, 64);
    this.nmiRate = options.nmiRate ?? 0;
    this.timerPeriod = options.timerPeriod ?? 0;
    this.ipis = options.ipis ?? false;
    this.all = new Array<SmpCpu | undefined>(options.cpus).fill(undefined);
    this.running = this.cpu(0);
    machine.patching = this;
    machine.memory.textPoker = (address, data) => pokeText(this, address, data);
    machine.interruptFlag = (enabled) => {
      this.running.irqs = enabled;
    };
    machine.breakpointTrap = (next) => trapBreakpoint(this, next);
    defineIret(this);
  }

  get cpus(): number {
    return this.all.length;
  }

  get seed(): number {
    return this.random.seed;
  }

  /** CPU `id`, its task and per-CPU area made on first use (a session that never uses them has none), as the image's runtime makes a CPU. */
  cpu(id: number): SmpCpu {
    if (!Number.isInteger(id) || id < 0 || id >= this.all.length) throw new EmulatorError(`no CPU ${id}: the machine has CPUs 0..${this.all.length - 1} (--cpus)`);
    const known = this.all[id];
    if (known) return known;
    const { task, gsBase } = this.machine.makeCpu?.(id, this.cpus) ?? sampleCpu(this.machine, id);
    const made = new SmpCpu(id, task, gsBase);
    if (this.timerPeriod) made.nextTimer = this.random.between(1, this.timerPeriod);
    this.all[id] = made;
    return made;
  }

  /** The CPUs made so far, CPU 0 first. */
  known(): SmpCpu[] {
    return this.all.filter((c): c is SmpCpu => c !== undefined);
  }

  // ---- what the author sees ---------------------------------------------------------------------

  note(line: string): void {
    this.notes.push(line);
  }

  /** A note that would repeat at every tick (a handler the target lacks): said once a session. */
  noteOnce(line: string): void {
    if (this.noted.has(line)) return;
    this.noted.add(line);
    this.note(line);
  }

  /** A guest fault on a CPU: its job ends and the command that caused it fails. */
  faulted(cpu: SmpCpu, fault: GuestFault): void {
    this.failed = true;
    cpu.job = undefined;
    cpu.inCall = false;
    this.note(`CPU${cpu.id}: ${fault.report().replace(/\n/g, '\n  ')}`);
  }

  /** The notes since the last call, and whether a CPU faulted meanwhile. */
  take(): { notes: string[]; failed: boolean } {
    const taken = { notes: this.notes, failed: this.failed };
    this.notes = [];
    this.failed = false;
    return taken;
  }

  // ---- running ----------------------------------------------------------------------------------

  /** A time slice: k instructions, k drawn from the seed around the seed's mean. */
  sliceLength(): number {
    return this.random.between(1, 2 * this.quantum);
  }

  /** Every other CPU runs one time slice (idle ones let time pass), in CPU order. */
  round(): void {
    for (const cpu of this.known()) {
      if (cpu.id === 0 || cpu.spinning) continue;
      const k = this.sliceLength();
      if (cpu.job) this.slice(cpu, k);
      else this.idle(cpu, k);
    }
  }

  /** Time passing between two commands: the CPUs with a job run a few slices each. */
  between(): void {
    if (!this.known().some((cpu) => cpu.job)) return;
    for (let i = 0; i < ROUNDS_BETWEEN_COMMANDS; i++) this.round();
  }

  /** One step of host code on CPU 0 (a byte written); CPUs spinning in the rendezvous spin one step too. */
  hostStep(): void {
    for (const cpu of this.known()) {
      if (cpu.id !== 0 && !cpu.spinning) continue;
      cpu.ticks++;
      this.fireDue(cpu, 1);
    }
  }

  private idle(cpu: SmpCpu, k: number): void {
    cpu.ticks += k;
    this.fireDue(cpu, k);
  }

  /**
   * Runs `cpu`'s job for `budget` instructions, cut at each due interrupt; in a loop a returned
   * call is counted and the next one starts in the same slice. `startNew` false: a CPU on its
   * way to the rendezvous finishes the call it is in and starts no other.
   */
  slice(cpu: SmpCpu, budget: number, startNew = true): void {
    if (!cpu.job || !(cpu.inCall || startNew)) return;
    // One switch to the CPU for the whole slice, however many calls of its job it runs.
    this.on(cpu, () => {
      let left = budget;
      while (left > 0 && cpu.job && (cpu.inCall || startNew)) {
        const job = cpu.job;
        this.used = true;
        const due = cpu.events.reduce((soonest, e) => Math.min(soonest, e.at), cpu.nextTimer);
        const k = Math.max(1, Math.min(left, due - cpu.ticks));
        const result = cpu.inCall
          ? this.machine.resume(cpu.task, { budget: k, slice: true })
          : this.machine.call(job.address, job.args, { task: cpu.task, budget: k, slice: true });
        cpu.ticks += result.instructions;
        left -= Math.max(1, result.instructions);
        this.settle(cpu, job, result);
        this.fireDue(cpu, result.instructions);
      }
    });
  }

  private settle(cpu: SmpCpu, job: Job, result: CallResult): void {
    if (result.status === 'fault') {
      this.faulted(cpu, result.fault!);
      return;
    }
    if (result.status === 'stopped' && result.stopReason === SLICE_END) {
      cpu.inCall = true;
      return;
    }
    cpu.inCall = false;
    if (result.status === 'stopped') {
      cpu.task.reset();
      this.note(`CPU${cpu.id}: ${job.name} stopped (${result.stopReason}); its job ends`);
      cpu.job = undefined;
      return;
    }
    cpu.calls++;
    const key = this.describeResult(result.rax);
    cpu.results.set(key, (cpu.results.get(key) ?? 0) + 1);
    if (!job.loop) cpu.job = undefined;
  }

  /** A call's result as the tally counts it: the value, and the string it points to when it is one. */
  private describeResult(rax: bigint): string {
    const memory = this.machine.memory;
    // A looping CPU returns the same few results over and over: each is described once, and
    // again only when its string is no longer there or the unreadable address was mapped.
    const known = this.resultKeys.get(rax);
    if (known && (known.text === undefined ? known.layout === memory.layoutVersion : memory.holdsCString(rax, known.text))) return known.key;
    let text: string | undefined;
    const unmapped = !memory.isMapped(rax);
    if (!unmapped) {
      try {
        const s = memory.readCString(rax, 256);
        if (s.length > 0 && s.length < 256 && /^[\x20-\x7e]+$/.test(s)) text = s;
      } catch {
        text = undefined;
      }
    }
    const key = `0x${rax.toString(16)}${text === undefined ? '' : ` ${JSON.stringify(text)}`}`;
    // Bytes that are no string may become one: only an unmapped address is remembered as none.
    if (text !== undefined || unmapped) this.resultKeys.set(rax, { text, layout: memory.layoutVersion, key });
    else this.resultKeys.delete(rax);
    return key;
  }

  /** Runs `run` with `cpu`'s registers and per-CPU base in the CPU, and switches back to what ran before. */
  on<T>(cpu: SmpCpu, run: () => T): T {
    const machine = this.machine;
    const home = machine.currentTask;
    const before = this.running;
    const c = machine.cpu.state;
    const gs = [c.gsLo, c.gsHi];
    this.running = cpu;
    try {
      machine.switchTo(cpu.task);
      c.gsLo = loOf(cpu.gsBase);
      c.gsHi = hiOf(cpu.gsBase);
      return run();
    } finally {
      machine.switchTo(home);
      [c.gsLo, c.gsHi] = gs;
      this.running = before;
    }
  }

  /** Runs a handler to its end on `cpu`'s task (an idle CPU, or CPU 0 between two steps of host code). */
  callOn(cpu: SmpCpu, address: bigint): CallResult {
    return this.on(cpu, () => this.machine.call(address, [0n], { task: cpu.task, ...guestCallBounds }));
  }

  // ---- interrupts -------------------------------------------------------------------------------

  /** `nmi CPU [after N]` / `mce CPU [after N]`: raised now, or after N more ticks of the CPU. */
  raise(cpu: SmpCpu, kind: InterruptKind, after: number): void {
    this.used = true;
    if (after <= 0) deliverInterrupt(this, cpu, kind);
    else cpu.events.push({ kind, at: cpu.ticks + after });
  }

  /** Delivers what is due after `ran` more ticks: the timer, held IRQs and NMI, scheduled interrupts, and NMIs drawn at the seed's rate. */
  private fireDue(cpu: SmpCpu, ran: number): void {
    if (cpu.ticks >= cpu.nextTimer) {
      cpu.nextTimer += this.timerPeriod * Math.max(1, Math.ceil((cpu.ticks - cpu.nextTimer + 1) / this.timerPeriod));
      this.used = true;
      deliverInterrupt(this, cpu, 'timer');
    }
    deliverHeld(this, cpu);
    if (this.nmiRate && this.random.next() < (ran * this.nmiRate) / 1000) {
      this.used = true;
      deliverInterrupt(this, cpu, 'nmi');
    }
    if (cpu.nmiPending && !cpu.nmiLatched) {
      cpu.nmiPending = false;
      deliverInterrupt(this, cpu, 'nmi');
    }
    for (let i = 0; i < cpu.events.length; i++) {
      const event = cpu.events[i];
      if (event.at > cpu.ticks) continue;
      cpu.events.splice(i--, 1);
      deliverInterrupt(this, cpu, event.kind);
    }
  }

  // ---- Xen's rendezvous (PatchingHooks) -------------------------------------------------------------

  /**
   * Every other CPU is kicked (Xen raises a softirq on each); a CPU comes to the rendezvous when
   * it next runs check_for_livepatch_work, i.e. when the call it is in returns. One that does
   * not within the timeout (1 instruction = 1 ns) never arrived. Only Xen's protocol has a
   * rendezvous: with the others, the CPUs run on through the write.
   */
  quiesce(timeoutNs: number): ReadonlySet<number> {
    const stuck = new Set<number>();
    if (this.protocol !== 'xen') return stuck;
    for (const cpu of this.known()) {
      if (cpu.id === 0) continue;
      cpu.atRendezvous = cpu.inCall ? `in ${where(this, cpu)}` : 'idle';
      // schedule_work(): smp_call_function(reschedule_fn) kicks every other CPU.
      if (this.ipis) deliverInterrupt(this, cpu, 'ipi');
      if (cpu.inCall) this.slice(cpu, Math.max(1, Math.floor(timeoutNs)), false);
      if (cpu.inCall) stuck.add(cpu.id);
      else cpu.spinning = true;
    }
    if (stuck.size) {
      for (const cpu of this.known()) cpu.spinning = false;
      return stuck;
    }
    // All in: livepatch_spin's second phase turns interrupts off, then arch_livepatch_quiesce/mask.
    this.quiesced = true;
    this.masked = true;
    return stuck;
  }

  release(): void {
    for (const cpu of this.known()) cpu.spinning = false;
    this.quiesced = false;
    this.masked = false;
  }

  /** Whether the other CPUs are held in the rendezvous (they run nothing while the text is written). */
  get holding(): boolean {
    return this.quiesced;
  }

  /** Each CPU made so far: where it is, its interrupt state, what it did at the last rendezvous (the editor's view, and `dump`). */
  state(): EmulatorCpusState {
    const cpus = this.known().map((cpu): EmulatorCpuState => ({
      id: cpu.id,
      ...(cpu.id !== 0 && cpu.job && cpu.inCall ? { where: where(this, cpu) } : {}),
      ...(cpu.job ? { job: cpu.job.name } : {}),
      loop: cpu.job?.loop ?? false,
      calls: cpu.calls,
      irqs: cpu.irqs,
      inNmi: cpu.nmiLatched,
      lostNmis: cpu.lostNmis,
      ...(cpu.atRendezvous ? { atRendezvous: cpu.atRendezvous } : {}),
    }));
    return { count: this.cpus, seed: this.seed, poke: this.protocol, cpus };
  }

  /** Lines for `dump`: the state, one line a CPU. */
  describe(): string[] {
    const { cpus } = this.state();
    return [
      `${this.cpus} CPUs, seed ${this.seed}, poke protocol ${this.protocol}`,
      ...cpus.map((cpu) => {
        const doing = cpu.id === 0 ? 'runs the commands' : cpu.job ? `${cpu.where ? `in ${cpu.where}` : 'between calls'} of ${cpu.job}${cpu.loop ? ' (loop)' : ''}` : 'idle';
        const irq = [`IRQs ${cpu.irqs ? 'on' : 'off'}`, ...(cpu.inNmi ? ['in an NMI'] : []), ...(cpu.lostNmis ? [`${cpu.lostNmis} NMIs lost`] : [])];
        const rendezvous = cpu.atRendezvous ? `; at the last rendezvous: ${cpu.atRendezvous}` : '';
        return `CPU${cpu.id}: ${doing}, ${cpu.calls} calls, ${irq.join(', ')}${rendezvous}`;
      }),
    ];
  }
}

/** The sample target's CPU: a task, and a one-page per-CPU area holding the CPU's number at offset 0. */
function sampleCpu(machine: Machine, id: number): CpuSetup {
  const task = machine.createTask(id === 0 ? 'cpu0 interrupts' : `cpu${id}`);
  const area = machine.allocate(PAGE_SIZE, `per-CPU area of CPU ${id}`);
  machine.memory.writeU32(area, id);
  return { task, gsBase: area };
}

/** Where a CPU's task stands: its RIP, symbolized. */
export function where(smp: Smp, cpu: SmpCpu): string {
  return smp.on(cpu, () => {
    const c = smp.machine.cpu.state;
    return smp.machine.describe(fromPair(c.ripLo, c.ripHi));
  });
}
