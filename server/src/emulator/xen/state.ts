import { hex } from '../addr';
import type { EmulatorFuncState, XenEmulatorState } from '../state';
import { XenLivepatch } from './runtime';

/** Enough of old_addr to see the `E9 rel32` or the NOPs, and no more than Xen's insn buffer. */
const shownBytes = 32;

/** The editor's view of the hypervisor: payloads, per-function state and bytes, the stack. */
export function xenState(xen: XenLivepatch, target: string): XenEmulatorState {
  const memory = xen.machine.memory;
  const bytesAt = (address: bigint, size: number): string | null => {
    try {
      return Buffer.from(memory.read(address, Math.min(size, shownBytes))).toString('hex');
    } catch {
      return null;
    }
  };
  return {
    runtime: 'xen',
    target,
    buildId: xen.buildId,
    ...(xen.panicked ? { panicked: xen.panicked } : {}),
    appliedStack: xen.appliedStack(),
    payloads: xen.payloads().map((p) => ({
      name: p.name,
      state: p.stateName as 'CHECKED' | 'APPLIED',
      rc: p.rc,
      buildId: p.buildId,
      depends: p.depends,
      xenDepends: p.xenDepends,
      metadata: p.metadata,
      funcs: p.funcs.map((f): EmulatorFuncState => ({
        name: f.name,
        oldAddr: hex(f.oldAddr),
        newAddr: hex(f.newAddr),
        oldSize: f.oldSize,
        newSize: f.newSize,
        applied: f.applied,
        bytes: bytesAt(f.oldAddr, f.oldSize),
      })),
    })),
  };
}
