import { XenPayload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';
import { funcWhere } from './xenFuncs';

/**
 * What Xen 4.17's register dump calls for its `----[ Xen-4.17.7  x86_64  debug=n ...` banner
 * (show_registers -> print_xen_info, from objdump of Debian's xen-syms): every WARN, BUG and
 * ASSERT report, and the double-fault handler's, runs them.
 */
export const BANNER_CALLS: readonly string[] = ['print_tainted', 'xen_build_info', 'xen_extra_version', 'xen_minor_version', 'xen_major_version'];

const frameNames = { 1: 'WARN', 2: 'BUG', 3: 'ASSERT' } as const;

/**
 * A WARN, BUG or ASSERT inside the replacement of a function the report itself calls: the report
 * enters the replacement again, which reports again, until the stack overflows; the double-fault
 * handler's report does the same. Debian's Xen 4.17 in QEMU printed `Xen WARN at ...` a few
 * hundred times and then `*** DOUBLE FAULT ***` for ever.
 */
export function checkReportRecursion(sink: FindingSink, payload: XenPayload): void {
  for (const f of payload.funcs) {
    const name = f.oldAddr.reloc?.symbol ?? f.name;
    const replacement = f.newAddr.reloc;
    if (!name || !BANNER_CALLS.includes(name) || replacement?.sectionOffset === undefined) continue;
    const start = replacement.sectionOffset;
    const inside = payload.bugFrames.filter(
      (b) => b.at.section === replacement.section && b.at.sectionOffset !== undefined && b.at.sectionOffset >= start && b.at.sectionOffset < start + BigInt(f.newSize),
    );
    for (const frame of inside) {
      sink.add(
        payloadChecks.reportRecursion,
        funcWhere(f),
        `${frameNames[frame.type]} at ${replacement.section}+0x${frame.at.sectionOffset!.toString(16)} is inside ${replacement.display}, the replacement of ${name}(), which Xen's register dump calls for its banner (show_registers -> print_xen_info): the ${frameNames[frame.type]}'s report calls ${name}() again and reports again, until the stack overflows and Xen double-faults without end. Report the condition from a function the report path does not call (or with printk), or patch another function.`,
      );
    }
  }
}
