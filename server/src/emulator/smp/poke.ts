import { Decoder, DecoderOptions, Mnemonic } from 'iced-x86';
import { fromPair, hiOf, loOf } from '../addr';
import { CpuHooks } from '../cpu/block';
import { FetchGuard, FetchVerdict } from '../cpu/fetchGuard';
import { CpuState } from '../cpu/state';
import { GuestFault } from '../faults';
import { Memory } from '../memory';
import type { CpuSet } from './cpuSet';
import { deliverInterrupt, ipiOutstanding } from './interrupts';

// How a live patch's bytes reach the text while other CPUs run: Xen's memcpy inside the
// rendezvous, Linux's text_poke_bp, or one byte at a time with nothing around it.

const INT3 = 0xcc;
/** Time slices a text_poke_bp sync waits for the other CPUs to take its IPI. */
const SYNC_ROUNDS = 64;

const hexBytes = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * One write of new bytes over old ones at `site`, watched while it is in flight: a CPU that
 * decodes an instruction overlapping it must see all old bytes or all new ones (starting at
 * the site), or, under text_poke_bp, the int3 on its first byte.
 */
export class TextWrite implements FetchGuard {
  /** text_poke_bp's int3 is on the first byte. */
  trap = false;
  written = 0;

  constructor(
    private readonly smp: CpuSet,
    readonly site: bigint,
    readonly old: Uint8Array,
    readonly data: Uint8Array,
  ) {}

  where(): string {
    return `${this.smp.machine.describe(this.site)} (${hexBytes(this.old)} -> ${hexBytes(this.data)})`;
  }

  inspect(ip: bigint, bytes: Uint8Array): FetchVerdict {
    const from = Number(ip - this.site);
    if (from + bytes.length <= 0 || from >= this.data.length) return undefined;
    if (this.trap && from === 0 && bytes.length === 1 && bytes[0] === INT3) return 'trap';
    let allOld = true;
    let allNew = true;
    for (let i = 0; i < bytes.length; i++) {
      const at = from + i;
      if (at < 0 || at >= this.data.length) continue;
      if (bytes[i] !== this.old[at]) allOld = false;
      if (bytes[i] !== this.data[at]) allNew = false;
    }
    // Old bytes are old instructions; new ones are an instruction only from its first byte.
    return allOld || (allNew && from === 0) ? undefined : 'torn';
  }

  enter(verdict: 'torn' | 'trap', ip: bigint, bytes: Uint8Array, text: string, c: CpuState, hooks: CpuHooks): void {
    const cpu = this.smp.running;
    if (verdict === 'torn') {
      throw new GuestFault(
        'torn-write',
        `CPU${cpu.id} fetched a half-written instruction at ${this.smp.machine.describe(ip)} (0x${ip.toString(16)}): it decoded ${hexBytes(bytes)} (${text}) ` +
          `while the ${this.smp.protocol} protocol was writing ${hexBytes(this.data)} over ${hexBytes(this.old)} at ${this.smp.machine.describe(this.site)}, ` +
          `${this.written} of ${this.data.length} bytes written; seed ${this.smp.seed}`,
        { address: ip, access: 'execute' },
      );
    }
    cpu.trapHits++;
    const target = this.emulate(c, hooks);
    c.ripLo = loOf(target);
    c.ripHi = hiOf(target);
  }

  /**
   * poke_int3_handler(): the CPU that hit the int3 runs the instruction being written instead
   * (int3_emulate_jmp / int3_emulate_call, or steps over a NOP); returns where it goes on.
   */
  private emulate(c: CpuState, hooks: CpuHooks): bigint {
    const next = this.site + BigInt(this.data.length);
    const rel = () => BigInt(new DataView(this.data.buffer, this.data.byteOffset).getInt32(1, true));
    if (this.data.length === 5 && this.data[0] === 0xe9) return BigInt.asUintN(64, next + rel());
    if (this.data.length === 5 && this.data[0] === 0xe8) {
      const target = BigInt.asUintN(64, next + rel());
      const sp = BigInt.asUintN(64, fromPair(c.lo[4], c.hi[4]) - 8n);
      this.smp.machine.memory.writeU64(sp, next);
      c.lo[4] = loOf(sp);
      c.hi[4] = hiOf(sp);
      hooks.call(loOf(target), hiOf(target), loOf(next), hiOf(next));
      return target;
    }
    if (allNops(this.data)) return next;
    throw new GuestFault('breakpoint', `int3 at ${this.smp.machine.describe(this.site)}: poke_int3_handler cannot emulate ${hexBytes(this.data)} (only a jmp, a call or NOPs)`);
  }
}

function allNops(bytes: Uint8Array): boolean {
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  try {
    while (decoder.position < bytes.length) {
      const ins = decoder.decode();
      const nop = ins.mnemonic === Mnemonic.Nop;
      ins.free();
      if (!nop) return false;
    }
    return true;
  } finally {
    decoder.free();
  }
}

/**
 * Writes `data` at `address` by the session's protocol, the other CPUs running between the
 * steps unless Xen's rendezvous holds them. Asked from inside a native (klp_enable_patch's
 * ftrace registration during a module's init, a payload's action hook calling
 * arch_livepatch_apply), the patching CPU stays parked in the native at each step while the
 * others run (the CPU's run is re-entrant). A write asked while another is in flight (an
 * interrupt handler's) lands at once.
 */
export function pokeText(smp: CpuSet, address: bigint, data: Uint8Array): void {
  const machine = smp.machine;
  if (smp.write) {
    machine.memory.write(address, data, { force: true });
    return;
  }
  const write = new TextWrite(smp, address, machine.memory.read(address, data.length), data);
  const cache = machine.cpu.cache;
  const put = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      machine.memory.write(address + BigInt(i), data.subarray(i, i + 1), { force: true });
      if (i > 0 || !write.trap) write.written++;
      step();
    }
  };
  const step = () => {
    smp.hostStep();
    if (!smp.holding) smp.round();
  };
  // on_each_cpu(do_sync_core, NULL, 1): an IPI every other CPU takes, waited for.
  const sync = () => {
    if (!smp.ipis) return step();
    const others = smp.known().filter((cpu) => cpu.id !== 0);
    for (const cpu of others) deliverInterrupt(smp, cpu, 'ipi');
    step();
    for (let round = 1; round < SYNC_ROUNDS && others.some(ipiOutstanding); round++) step();
    for (const cpu of others.filter(ipiOutstanding))
      smp.note(`CPU${cpu.id}: has not taken text_poke_bp's sync IPI after ${SYNC_ROUNDS} time slices (interrupts off?): Linux waits for it (seed ${smp.seed})`);
  };
  smp.write = write;
  cache.guard = write;
  const hitsBefore = smp.known().map((cpu) => cpu.trapHits);
  try {
    // Where the other CPUs are when the write starts is the seed's choice.
    if (!smp.holding) smp.round();
    if (smp.protocol === 'linux' && data.length > 1) textPokeBp(machine.memory, write, put, sync);
    else put(0, data.length);
  } finally {
    smp.write = undefined;
    cache.guard = undefined;
    // Blocks decoded while the write was watched are rebuilt without the watch.
    for (const page of [address >> 12n, (address + BigInt(data.length)) >> 12n]) cache.invalidate(Number(page));
  }
  smp.known().forEach((cpu, i) => {
    const hits = cpu.trapHits - (hitsBefore[i] ?? 0);
    if (hits) smp.note(`CPU${cpu.id}: hit text_poke_bp's int3 at ${write.where()} ${hits} times; poke_int3_handler ran the new instruction each time (seed ${smp.seed})`);
  });
}

/**
 * text_poke_bp(): int3 on the first byte, sync every CPU, the tail, sync, the first byte, sync
 * (arch/x86/kernel/alternative.c text_poke_bp_batch). A sync is a round of the other CPUs, and
 * with `--ipi` the call-function IPI each of them takes in the target's handler first.
 */
function textPokeBp(memory: Memory, write: TextWrite, put: (from: number, to: number) => void, sync: () => void): void {
  write.trap = true;
  memory.write(write.site, new Uint8Array([INT3]), { force: true });
  sync();
  put(1, write.data.length);
  sync();
  write.trap = false;
  put(0, 1);
  sync();
}
