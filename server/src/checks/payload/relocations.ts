import { XenPayload } from '../../payload';
import { FindingSink } from './context';
import { payloadChecks } from './ids';

/**
 * arch_livepatch_perform_rela(): a relocation against STN_UNDEF is refused whatever its type,
 * then any type but NONE, 64, PC32 and PLT32; Xen stops at the first, as this check does.
 */
export function checkRelocations(sink: FindingSink, payload: XenPayload): void {
  const refused = payload.unusualRelocations[0];
  if (!refused) return;
  const where = `${refused.section}+0x${refused.offset.toString(16)}`;
  if (refused.undefinedSymbol) {
    return sink.add(
      payloadChecks.unhandledRelocation,
      where,
      `a ${refused.typeName} relocation at ${where} is against symbol 0 (STN_UNDEF), which names nothing to relocate against. ${sink.xenSays(payload.name, 'Encountered STN_UNDEF')}. A hand-edited or corrupted relocation table; rebuild the payload.`,
      'EOPNOTSUPP',
    );
  }
  sink.add(
    payloadChecks.unhandledRelocation,
    where,
    `the relocation at ${where} is ${refused.typeName}, which Xen's loader does not apply (it handles R_X86_64_NONE, 64, PC32 and PLT32 only). ${sink.xenSays(payload.name, `Unhandled relocation ${refused.type}`)}. ` +
      'Build the payload position-independent (`-fpic`, no `-mcmodel=kernel`, as samples/Makefile builds its Xen payloads) so the compiler emits PC32/PLT32.',
    'EOPNOTSUPP',
  );
}
