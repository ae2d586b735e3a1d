import { SHF } from '../../elf';
import { altInstrSize, SymbolRef, XenPayload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/**
 * Xen's prepare_payload() checks each `struct alt_instr` before apply_alternatives() patches
 * code: the original must lie in the payload's text, the replacement in .altinstr_replacement.
 */
export function checkAlternatives(sink: FindingSink, payload: XenPayload): void {
  const table = payload.sections.find((s) => s.name === '.altinstructions');
  if (table && table.size % BigInt(altInstrSize) !== 0n) {
    return sink.add(
      payloadChecks.alternatives,
      '.altinstructions',
      `.altinstructions is ${table.size} bytes, not a whole number of ${altInstrSize}-byte struct alt_instr entries: it was not made by the ALTERNATIVE() macros of this hypervisor. ${sink.xenSays(payload.name, `Wrong size ${table.size} of .altinstructions (must be multiple of ${altInstrSize})`)}.`,
      'EINVAL',
    );
  }
  if (!payload.altInstructions.length) return;
  const text = payload.sections.filter((s) => s.flags & SHF.EXECINSTR && s.size > 0n && s.name !== '.altinstr_replacement');
  const replacement = payload.sections.find((s) => s.name === '.altinstr_replacement');
  const refuse = (message: string, quote: string) =>
    sink.add(
      payloadChecks.alternatives,
      '.altinstructions',
      `${message} apply_alternatives() would patch bytes outside the payload's code. ${sink.xenSays(payload.name, quote)}. Emit alternatives only with the ALTERNATIVE() macros, in the payload's own functions.`,
      'EINVAL',
    );
  if (!text.length) return refuse('.altinstructions is present but the payload has no code.', `${payload.name} Alternatives provided, but no .text`);
  if (!replacement) return refuse('.altinstructions is present but .altinstr_replacement is not.', `${payload.name} .altinstructions provided, but no .altinstr_replacement`);
  const inside = (ref: SymbolRef | undefined, length: number, sections: typeof text): boolean => {
    const section = sections.find((s) => s.name === ref?.section);
    return !!section && ref?.sectionOffset !== undefined && ref.sectionOffset >= 0n && ref.sectionOffset + BigInt(length) <= section.size;
  };
  for (const alt of payload.altInstructions) {
    if (!inside(alt.orig, alt.origLen, text)) {
      refuse(
        `.altinstructions[${alt.index}] patches ${alt.origLen} bytes at ${alt.orig?.display ?? 'an unrelocated address'}, which is not inside an executable section of the payload.`,
        `${payload.name} Alternative orig ${alt.orig?.display ?? '0'}+${alt.origLen.toString(16)} outside payload text`,
      );
    }
    if (!inside(alt.repl, alt.replLen, [replacement])) {
      refuse(
        `.altinstructions[${alt.index}] takes ${alt.replLen} replacement bytes at ${alt.repl?.display ?? 'an unrelocated address'}, which is not inside .altinstr_replacement (${replacement.size} bytes).`,
        `${payload.name} Alternative repl ${alt.repl?.display ?? '0'}+${alt.replLen.toString(16)} outside .altinstr_replacement`,
      );
    }
  }
}
