import { alternativeBug, XenPayload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/**
 * An `.altinstructions` entry that trips a BUG_ON() of Xen 4.17's _apply_alternatives(): Xen
 * does not refuse it, it applies the payload's alternatives at upload and panics on the entry,
 * whatever the CPU's features.
 */
export function checkAlternativeBugs(sink: FindingSink, payload: XenPayload): void {
  for (const alt of payload.altInstructions) {
    const bug = alternativeBug(alt);
    if (!bug) continue;
    sink.add(
      payloadChecks.alternativeBug,
      '.altinstructions',
      `.altinstructions[${alt.index}] (the site at ${alt.orig?.display ?? 'an unrelocated address'}): ${bug.why}. Xen 4.17 applies a payload's alternatives at upload and checks BUG_ON(${bug.condition}) for each entry before it looks at the CPU's features: it prints \`${bug.xenBug}\` and the hypervisor panics. Emit alternatives with the ALTERNATIVE() macros, which pad the original to the replacement's length.`,
    );
  }
}
