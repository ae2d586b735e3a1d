import { fromPair, hiOf, loOf } from '../addr';
import { GuestFault } from '../faults';
import { restoreRegisters, saveRegisters } from '../tasks';
import type { CpuSet } from './cpuSet';
import { InterruptKind, SmpCpu } from './smpCpu';

// The emulated IDT: NMI, #MC, timer ticks, the call-function IPI and #BP go to the target's own
// handlers, entered as the hardware enters them (the interrupted registers saved, the handler
// run on the interrupted stack) and left by an emulated iret, which also clears the NMI latch.

const IRET = '<iret>';

/** The handler each vector is delivered to, as Xen and Linux name them. */
export const interruptHandlers: Record<InterruptKind, string> = {
  nmi: 'do_nmi',
  mce: 'do_machine_check',
  timer: 'timer_interrupt',
  ipi: 'call_function_interrupt',
  bp: 'do_int3',
};

const names: Record<InterruptKind, string> = { nmi: 'NMI', mce: '#MC', timer: 'timer interrupt', ipi: 'call-function IPI', bp: '#BP' };

export function interruptName(kind: InterruptKind): string {
  return names[kind];
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
  // In Xen's quiesced zone every CPU has interrupts off (livepatch_spin's local_irq_disable).
  if ((kind === 'timer' || kind === 'ipi') && (!cpu.irqs || cpu.spinning || smp.holding)) {
    // One pending bit a vector, as the local APIC's IRR has: ticks missed meanwhile are one.
    if (!cpu.heldIrqs.includes(kind)) cpu.heldIrqs.push(kind);
    return;
  }
  const handler = handlerOf(smp, kind);
  if (handler === undefined) {
    smp.noteOnce(`CPU${cpu.id}: ${name} not delivered: the target has no ${interruptHandlers[kind]}()`);
    return;
  }
  if (kind === 'mce' && smp.write)
    smp.note(`CPU${cpu.id}: #MC in the middle of the ${smp.protocol} protocol's write at ${smp.write.where()}: nothing masks #MC (seed ${smp.seed})`);
  if (cpu.id !== 0 && cpu.inCall) enter(smp, cpu, kind, handler);
  else runToEnd(smp, cpu, kind, handler);
}

/** Whether the CPU has yet to take, or is still in, a call-function IPI. */
export function ipiOutstanding(cpu: SmpCpu): boolean {
  return cpu.heldIrqs.includes('ipi') || cpu.frames.some((frame) => frame.kind === 'ipi');
}

/** The maskable interrupts held while the CPU had interrupts off, now that it has them on. */
export function deliverHeld(smp: CpuSet, cpu: SmpCpu): void {
  while (cpu.heldIrqs.length && cpu.irqs && !cpu.spinning && !smp.holding) deliverInterrupt(smp, cpu, cpu.heldIrqs.shift()!);
}

/**
 * An int3 the running code executed, no live patch's: the target's do_int3() runs, and its
 * iret resumes after the int3 (a trap). False when the target has no handler: the int3 faults.
 */
export function trapBreakpoint(smp: CpuSet, next: bigint): boolean {
  const handler = handlerOf(smp, 'bp');
  if (handler === undefined) return false;
  pushFrame(smp, smp.running, 'bp', handler, next);
  return true;
}

function handlerOf(smp: CpuSet, kind: InterruptKind): bigint | undefined {
  return smp.machine.symbols.get(interruptHandlers[kind])?.address;
}

/** Interrupts the CPU's running call: the handler starts at the next instruction the CPU runs. */
function enter(smp: CpuSet, cpu: SmpCpu, kind: InterruptKind, handler: bigint): void {
  smp.on(cpu, () => {
    const c = smp.machine.cpu.state;
    pushFrame(smp, cpu, kind, handler, fromPair(c.ripLo, c.ripHi));
  });
  if (kind === 'nmi') cpu.nmiLatched = true;
}

/** The hardware's entry on the registers in the CPU: they are saved (to return to `resume`), the handler runs on the same stack. */
function pushFrame(smp: CpuSet, cpu: SmpCpu, kind: InterruptKind, handler: bigint, resume: bigint): void {
  const iret = smp.machine.nativeAddress(IRET)!;
  const c = smp.machine.cpu.state;
  cpu.frames.push({ kind, ...saveRegisters(c), ripLo: loOf(resume), ripHi: hiOf(resume) });
  // Below what the interrupted code may use, 16-byte aligned as at a call's target.
  const sp = ((fromPair(c.lo[4], c.hi[4]) - 256n) & ~15n) - 8n;
  smp.machine.memory.writeU64(sp, iret);
  c.lo[4] = loOf(sp);
  c.hi[4] = hiOf(sp);
  c.lo[7] = 0;
  c.hi[7] = 0;
  c.ripLo = loOf(handler);
  c.ripHi = hiOf(handler);
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
