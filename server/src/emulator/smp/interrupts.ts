import { fromPair, hiOf, loOf } from '../addr';
import { GuestFault } from '../faults';
import { restoreRegisters, saveRegisters } from '../tasks';
import type { CpuSet } from './cpuSet';
import { InterruptKind, SmpCpu } from './smpCpu';

// The emulated IDT: NMI and #MC go to the target's own handlers, entered as the hardware enters
// them (the interrupted registers saved, the handler run on the interrupted stack) and left by
// an emulated iret, which also clears the NMI latch.

const IRET = '<iret>';

/** The handler each vector is delivered to, as Xen and Linux name them. */
export const interruptHandlers: Record<InterruptKind, string> = { nmi: 'do_nmi', mce: 'do_machine_check' };

export function interruptName(kind: InterruptKind): string {
  return kind === 'nmi' ? 'NMI' : '#MC';
}

/** The native the handlers return to: puts back what the entry saved, as iretq does. */
export function defineIret(smp: CpuSet): void {
  smp.machine.natives.define({
    name: IRET,
    kind: 'jump',
    run: () => {
      const cpu = smp.running;
      const frame = cpu.frames.pop();
      if (!frame) throw new GuestFault('general-protection', `CPU${cpu.id}: iret without an interrupt frame`);
      const c = smp.machine.cpu.state;
      restoreRegisters(c, frame);
      if (frame.kind === 'nmi') cpu.nmiLatched = false;
      return fromPair(frame.ripLo, frame.ripHi);
    },
  });
}

/**
 * Delivers an NMI or #MC to `cpu` now. An NMI is swallowed while Xen's patching has the NMI
 * callback masked (and counted: it is lost), and held while the CPU is inside an NMI (the
 * latch, until iret); #MC is never held off, which is Xen's own TODO.
 */
export function deliverInterrupt(smp: CpuSet, cpu: SmpCpu, kind: InterruptKind): void {
  const name = interruptName(kind);
  if (kind === 'nmi' && smp.masked) {
    cpu.lostNmis++;
    smp.note(`CPU${cpu.id}: NMI lost: arch_livepatch_mask() has the NMI callback swallow NMIs while the text is written (seed ${smp.seed})`);
    return;
  }
  if (kind === 'nmi' && cpu.nmiLatched) {
    cpu.nmiPending = true;
    return;
  }
  const handler = smp.machine.symbols.get(interruptHandlers[kind])?.address;
  if (handler === undefined) {
    smp.note(`CPU${cpu.id}: ${name} not delivered: the target has no ${interruptHandlers[kind]}()`);
    return;
  }
  if (kind === 'mce' && smp.write)
    smp.note(`CPU${cpu.id}: #MC in the middle of the ${smp.protocol} protocol's write at ${smp.write.where()}: nothing masks #MC (seed ${smp.seed})`);
  if (cpu.id !== 0 && cpu.inCall) enter(smp, cpu, kind, handler);
  else runToEnd(smp, cpu, kind, handler);
}

/** Interrupts the CPU's running call: the handler starts at the next instruction the CPU runs. */
function enter(smp: CpuSet, cpu: SmpCpu, kind: InterruptKind, handler: bigint): void {
  const iret = smp.machine.nativeAddress(IRET)!;
  smp.on(cpu, () => {
    const c = smp.machine.cpu.state;
    cpu.frames.push({ kind, ...saveRegisters(c) });
    // Below what the interrupted code may use, 16-byte aligned as at a call's target.
    const sp = ((fromPair(c.lo[4], c.hi[4]) - 256n) & ~15n) - 8n;
    smp.machine.memory.writeU64(sp, iret);
    c.lo[4] = loOf(sp);
    c.hi[4] = hiOf(sp);
    c.lo[7] = 0;
    c.hi[7] = 0;
    c.ripLo = loOf(handler);
    c.ripHi = hiOf(handler);
  });
  if (kind === 'nmi') cpu.nmiLatched = true;
}

/** An idle CPU, or CPU 0 between two steps of the patching code: the handler runs to its end now. */
function runToEnd(smp: CpuSet, cpu: SmpCpu, kind: InterruptKind, handler: bigint): void {
  if (kind === 'nmi') cpu.nmiLatched = true;
  try {
    const result = smp.callOn(cpu, handler);
    if (result.fault) smp.faulted(cpu, result.fault);
  } finally {
    if (kind === 'nmi') cpu.nmiLatched = false;
  }
}
